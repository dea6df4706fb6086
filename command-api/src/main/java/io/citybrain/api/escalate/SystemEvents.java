package io.citybrain.api.escalate;

import io.citybrain.api.db.Rows;
import io.citybrain.api.work.WorkKind;
import io.citybrain.api.work.WorkStore;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The system's entries in {@code work_event} (actor {@code system}) and the items pushed with them;
 * a grid case is kind {@code case}, which WorkKind does not move (CaseStore does).
 */
final class SystemEvents {
  static final String ACTOR = "system";
  static final String CASE = "case";

  private SystemEvents() {}

  static void record(
      Connection c,
      String kind,
      String itemId,
      String district,
      String action,
      String from,
      String to,
      String note)
      throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        INSERT INTO work_event (kind, item_id, district, action, from_state, to_state, actor, note)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""),
            kind,
            itemId,
            district,
            action,
            from,
            to,
            ACTOR,
            note)) {
      ps.executeUpdate();
    }
  }

  /** An alert or task as the routes show it, without its history: what a live frame carries. */
  static Change change(Connection c, WorkKind kind, String id, String change) throws SQLException {
    JsonObject item = WorkStore.view(c, kind, id).orElseThrow();
    item.remove("history");
    return new Change(kind.word(), change, item.getString("district"), item);
  }

  /** A grid case's fields that matter to its SLA. */
  static Change caseChange(Connection c, String caseId, String change) throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT case_id, district, category, subtype, state, department, created_at, due_at, overdue_at,
               escalation_level
        FROM grid_case WHERE case_id = ?"""),
                caseId);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      JsonObject item = Rows.one(rs);
      return new Change(CASE, change, item.getString("district"), item);
    }
  }

  /** A duration as the seeds write it. */
  static String words(java.time.Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }
}
