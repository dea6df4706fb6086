package io.citybrain.api.cases;

import io.citybrain.api.db.Rows;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Grid cases and their history in PostgreSQL. Blocking: call on the database workers, inside a
 * transaction.
 */
public final class CaseStore {
  static final String COLUMNS =
      "case_id, district, category, subtype, event_type, source, state, department, lat, lon,"
          + " description, reporter, detections, created_at, due_at, last_detected_at, resolved_at, confirmed_at,"
          + " closed_at, rating, feedback";

  private CaseStore() {}

  /** What a new case is. */
  public record NewCase(
      String district,
      String category,
      String subtype,
      String department,
      int slaHours,
      String source,
      Double lat,
      Double lon,
      String description,
      String eventType,
      String reporter,
      Instant createdAt) {}

  /**
   * Creates a case as discovered and dispatches it to its department at once; both steps go into
   * the history.
   */
  public static String create(Connection c, NewCase n, String actor) throws SQLException {
    String caseId =
        "gc-" + n.district().toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 12);
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        INSERT INTO grid_case (case_id, district, category, subtype, event_type, source, state, department, lat, lon,
                               description, reporter, detections, created_at, due_at, last_detected_at)
        VALUES (?, ?, ?, ?, ?, ?, 'dispatched', ?, ?, ?, ?, ?, 1, ?, ?, ?)"""),
            caseId,
            n.district(),
            n.category(),
            n.subtype(),
            n.eventType(),
            n.source(),
            n.department(),
            n.lat(),
            n.lon(),
            n.description(),
            n.reporter(),
            n.createdAt(),
            n.createdAt().plusSeconds(n.slaHours() * 3600L),
            "camera".equals(n.source()) ? n.createdAt() : null)) {
      ps.executeUpdate();
    }
    history(c, caseId, null, "discovered", actor, "source " + n.source());
    history(
        c,
        caseId,
        "discovered",
        "dispatched",
        "system",
        "to " + n.department() + " by category " + n.subtype());
    return caseId;
  }

  public static void history(
      Connection c, String caseId, String from, String to, String actor, String note)
      throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "INSERT INTO grid_case_history (case_id, from_state, to_state, actor, note) VALUES (?, ?, ?, ?, ?)"),
            caseId,
            from,
            to,
            actor,
            note)) {
      ps.executeUpdate();
    }
  }

  /** The case, locked for an update in this transaction. */
  public static Optional<JsonObject> lock(Connection c, String caseId) throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM grid_case WHERE case_id = ? FOR UPDATE"),
                caseId);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(Rows.one(rs)) : Optional.empty();
    }
  }

  /**
   * Moves a case; resolved/confirmed/closed stamp their time, closing stores the rating and
   * feedback.
   */
  public static void move(Connection c, String caseId, String to, Integer rating, String feedback)
      throws SQLException {
    String stamp =
        switch (to) {
          case "resolved" -> ", resolved_at = now()";
          case "confirmed" -> ", confirmed_at = now()";
          case "closed" -> ", closed_at = now(), rating = ?, feedback = ?";
          default -> "";
        };
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE grid_case SET state = ?" + stamp + " WHERE case_id = ?")) {
      if (to.equals("closed")) {
        Rows.bind(ps, to, rating, feedback, caseId);
      } else {
        Rows.bind(ps, to, caseId);
      }
      ps.executeUpdate();
    }
  }

  /** A case with its allowed next states and its history; empty when unknown. */
  public static Optional<JsonObject> get(Connection c, String caseId) throws SQLException {
    JsonObject one;
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement("SELECT " + COLUMNS + " FROM grid_case WHERE case_id = ?"),
                caseId);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      one = withAllowed(Rows.one(rs));
    }
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT from_state, to_state, actor, at, note FROM grid_case_history WHERE case_id = ? ORDER BY id"),
                caseId);
        ResultSet rs = ps.executeQuery()) {
      one.put("history", new JsonArray(Rows.all(rs)));
    }
    return Optional.of(one);
  }

  public static JsonObject list(
      Connection c,
      String district,
      String state,
      String department,
      String subtype,
      int limit,
      int offset)
      throws SQLException {
    StringBuilder where = new StringBuilder(" WHERE true");
    List<Object> params = new ArrayList<>();
    for (String[] f :
        new String[][] {
          {"district", district}, {"state", state}, {"department", department}, {"subtype", subtype}
        }) {
      if (f[1] != null) {
        where.append(" AND ").append(f[0]).append(" = ?");
        params.add(f[1]);
      }
    }
    long total;
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement("SELECT count(*) FROM grid_case" + where), params.toArray());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      total = rs.getLong(1);
    }
    params.add(limit);
    params.add(offset);
    JsonArray items = new JsonArray();
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT "
                        + COLUMNS
                        + " FROM grid_case"
                        + where
                        + " ORDER BY created_at DESC, case_id LIMIT ? OFFSET ?"),
                params.toArray());
        ResultSet rs = ps.executeQuery()) {
      Rows.all(rs).forEach(row -> items.add(withAllowed(row)));
    }
    return new JsonObject()
        .put("items", items)
        .put("total", total)
        .put("limit", limit)
        .put("offset", offset);
  }

  static JsonObject withAllowed(JsonObject row) {
    return row.put(
        "allowed_transitions", new JsonArray(CaseWorkflow.allowed(row.getString("state"))));
  }
}
