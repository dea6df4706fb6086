package io.citybrain.api.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Who is calling, from the verified token: name, highest role and district scope (empty = every
 * district). Authority comes only from the signed token, never from a request body
 * (CVE-2022-45608).
 */
public record Caller(String name, Role role, Set<String> districts) {

  public static Caller of(User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
    String name = claims.getString("sub");
    Role role = Role.parse(claims.getString("role", "")).orElse(null);
    if (name == null || role == null) {
      throw ApiException.unauthorized("token lacks the sub or role claim");
    }
    Set<String> districts = new LinkedHashSet<>();
    JsonArray scope = claims.getJsonArray("districts", new JsonArray());
    scope.forEach(d -> districts.add(String.valueOf(d)));
    return new Caller(name, role, Set.copyOf(districts));
  }

  public boolean has(Role needed) {
    return role.includes(needed);
  }

  public boolean covers(String district) {
    return districts.isEmpty() || districts.contains(district);
  }

  /** 403 unless the caller has the role. */
  public void require(Role needed) {
    if (!has(needed)) {
      throw ApiException.forbidden(
          "role " + needed.id() + " required, caller '" + name + "' is " + role.id());
    }
  }

  /** 403 unless the caller's district scope covers the district. */
  public void requireDistrict(String district) {
    if (!covers(district)) {
      throw ApiException.forbidden(
          "caller '"
              + name
              + "' may act in "
              + String.join(", ", districts.stream().sorted().toList())
              + " only, not in "
              + district);
    }
  }
}
