package io.citybrain.api.http;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The districts a read may show: the caller's scope, narrowed to the district the request names
 * (403 when that one is outside the scope). {@code districts} null means every district.
 */
public record ReadScope(Set<String> districts) {
  public static final ReadScope CITY = new ReadScope(null);

  /** The caller's whole scope. */
  public static ReadScope of(Caller caller) {
    return of(caller, null);
  }

  /** The district the request names (checked against the caller), else the caller's scope. */
  public static ReadScope of(Caller caller, String requested) {
    if (requested != null) {
      caller.requireDistrict(requested);
      return new ReadScope(Set.of(requested));
    }
    return caller.districts().isEmpty()
        ? CITY
        : new ReadScope(Set.copyOf(new TreeSet<>(caller.districts())));
  }

  public boolean cityWide() {
    return districts == null;
  }

  public boolean covers(String district) {
    return districts == null || districts.contains(district);
  }

  /** Appends {@code AND column = ANY(?)} and its parameter when the scope is not the city. */
  public void where(StringBuilder sql, List<Object> params, String column) {
    if (districts != null) {
      sql.append(" AND ").append(column).append(" = ANY(?)");
      params.add(districts.toArray(String[]::new));
    }
  }

  /** The same as a SQL condition on its own ({@code true} for the city). */
  public String condition(String column, List<Object> params) {
    StringBuilder sql = new StringBuilder("true");
    where(sql, params, column);
    return sql.toString();
  }
}
