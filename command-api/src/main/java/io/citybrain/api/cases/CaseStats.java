package io.citybrain.api.cases;

import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ReadScope;
import io.citybrain.proto.CaseState;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolution rate (cases whose latest move in their history left them resolved, confirmed or
 * closed, over all cases created in the range) and SLA compliance (of those, the share whose latest
 * resolution came by their due time), overall or per district, department or category: computed
 * from the event log, grid_case_history.
 */
public final class CaseStats {
  /**
   * A reopened case counts as unresolved until it is resolved again; its resolution time is then
   * its latest.
   */
  static final String RESOLVED =
      "h.last_state IN " + CaseWorkflow.sqlList(CaseWorkflow.RESOLVED_STATES);

  /** Each case's latest state and latest resolution, read from its history. */
  private static final String FROM_LOG =
      """
      FROM grid_case g CROSS JOIN LATERAL (
        SELECT (SELECT x.to_state FROM grid_case_history x WHERE x.case_id = g.case_id
                ORDER BY x.id DESC LIMIT 1) AS last_state,
               (SELECT max(x.at) FROM grid_case_history x WHERE x.case_id = g.case_id
                AND x.to_state = '%s') AS last_resolved) h
      """
          .formatted(CaseState.RESOLVED.word());

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
    String inScope = scope.condition("g.district", params);
    String key = groupBy == null ? "'all'" : "g." + groupBy;
    String sql =
        "SELECT "
            + key
            + " AS key, count(*) AS total, count(*) FILTER (WHERE "
            + RESOLVED
            + ") AS resolved, "
            + "count(*) FILTER (WHERE "
            + RESOLVED
            + " AND h.last_resolved <= g.due_at) AS within_sla "
            + FROM_LOG
            + "WHERE g.created_at >= ? AND g.created_at < ? AND "
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
