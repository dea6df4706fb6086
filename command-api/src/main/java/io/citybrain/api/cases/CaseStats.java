package io.citybrain.api.cases;

import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ReadScope;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolution rate (cases now resolved, confirmed or closed, over all cases created in the range)
 * and SLA compliance (of those, the share resolved by their due time), overall or per district,
 * department or category.
 */
public final class CaseStats {
  /**
   * A reopened case counts as unresolved until it is resolved again; resolved_at is then its latest
   * resolution.
   */
  static final String RESOLVED = "state IN " + CaseWorkflow.sqlList(CaseWorkflow.RESOLVED_STATES);

  private CaseStats() {}

  /**
   * @param groupBy district, department, category, or null for one row over everything
   */
  public static List<JsonObject> rates(Connection c, String groupBy, Instant from, Instant to)
      throws SQLException {
    return rates(c, groupBy, from, to, ReadScope.CITY);
  }

  /** The same over the cases of the scope's districts only. */
  public static List<JsonObject> rates(
      Connection c, String groupBy, Instant from, Instant to, ReadScope scope) throws SQLException {
    List<Object> params = new ArrayList<>(List.of(from, to));
    String inScope = scope.condition("district", params);
    String key = groupBy == null ? "'all'" : groupBy;
    String sql =
        "SELECT "
            + key
            + " AS key, count(*) AS total, count(*) FILTER (WHERE "
            + RESOLVED
            + ") AS resolved, "
            + "count(*) FILTER (WHERE "
            + RESOLVED
            + " AND resolved_at <= due_at) AS within_sla "
            + "FROM grid_case WHERE created_at >= ? AND created_at < ? AND "
            + inScope
            + " GROUP BY 1 ORDER BY 1";
    try (PreparedStatement ps = Rows.bind(c.prepareStatement(sql), params.toArray());
        ResultSet rs = ps.executeQuery()) {
      List<JsonObject> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(row(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
      }
      return rows;
    }
  }

  /**
   * One group's figures; rates are null when there is nothing to divide by. Percentages rounded to
   * 0.01.
   */
  static JsonObject row(String key, long total, long resolved, long withinSla) {
    return new JsonObject()
        .put("key", key)
        .put("total", total)
        .put("resolved", resolved)
        .put("within_sla", withinSla)
        .put("resolution_rate", total == 0 ? null : percent(resolved, total))
        .put("sla_compliance", resolved == 0 ? null : percent(withinSla, resolved));
  }

  static double percent(long part, long whole) {
    return Math.round(part * 10_000.0 / whole) / 100.0;
  }
}
