package io.citybrain.api.cases;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.ReadScope;
import io.citybrain.proto.CaseState;
import io.citybrain.proto.Word;
import io.vertx.core.Future;
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
 * Grid cases and their history in PostgreSQL: what the routes ask runs on the database workers; the
 * blocking statics are shared with the camera poller's transaction.
 */
public final class CaseStore {
  static final String COLUMNS =
      "case_id, district, category, subtype, event_type, source, state, department, lat, lon,"
          + " description, reporter, detections, created_at, due_at, last_detected_at, resolved_at, confirmed_at,"
          + " closed_at, rating, feedback";

  private final Db db;

  public CaseStore(Db db) {
    this.db = db;
  }

  /** A citizen's report, created and dispatched: the case with its history. */
  /** Creates a reported case, audited as allowed in the same transaction. */
  Future<JsonObject> report(NewCase report, String actor) {
    return db.transaction(
        c -> {
          String caseId = create(c, report, actor);
          AuditLog.append(
              c,
              new AuditLog.Entry(
                  actor,
                  "report_case",
                  caseId,
                  report.district(),
                  null,
                  "allowed",
                  new JsonObject().put("subtype", report.subtype())));
          return get(c, caseId).orElseThrow();
        });
  }

  /** What a case list is filtered by (null: any). */
  record CaseFilter(String state, String department, String subtype) {}

  /** Newest first (the board) or oldest first (a work queue). */
  enum Order {
    NEWEST("<", "DESC"),
    OLDEST(">", "ASC");

    final String after;
    final String direction;

    Order(String after, String direction) {
      this.after = after;
      this.direction = direction;
    }

    static Order of(String word) {
      return word == null || word.equals("newest") ? NEWEST : OLDEST;
    }
  }

  /**
   * A page of the scope's cases, newest first: after a case id (keyset) or, capped by the document,
   * by offset.
   */
  Future<JsonObject> list(
      ReadScope scope, CaseFilter filter, Order order, int limit, int offset, String after) {
    return db.query(c -> list(c, scope, filter, order, limit, offset, after));
  }

  /**
   * @param by district, department, category, or all
   */
  Future<JsonObject> stats(String by, Instant from, Instant to, ReadScope scope) {
    return db.query(
        c ->
            new JsonObject()
                .put("by", by)
                .put("from", from.toString())
                .put("to", to.toString())
                .put(
                    "items",
                    new JsonArray(
                        CaseStats.rates(c, by.equals("all") ? null : by, from, to, scope))));
  }

  /** A case with its history; empty when unknown. */
  Future<Optional<JsonObject>> find(String caseId) {
    return db.query(c -> get(c, caseId));
  }

  /** A transition a caller asks for. */
  record Move(String to, String note, Integer rating, String feedback) {}

  /**
   * Moves a case, recording its history and the audit in one transaction: 404 for an unknown case,
   * 403 outside the caller's districts, 409 with the allowed states for a move the workflow
   * refuses.
   */
  Future<JsonObject> transition(String caseId, Move move, Caller caller) {
    return db.transaction(
        c -> {
          JsonObject current =
              lock(c, caseId).orElseThrow(() -> ApiException.notFound("case", caseId));
          caller.requireDistrict(current.getString("district"));
          String from = current.getString("state");
          if (!CaseWorkflow.canMove(from, move.to())) {
            throw ApiException.conflict(
                new JsonObject()
                    .put("reason", "a " + from + " case cannot become " + move.to())
                    .put("from", from)
                    .put("to", move.to())
                    .put("allowed", new JsonArray(CaseWorkflow.allowed(from))));
          }
          move(c, caseId, move.to(), move.rating(), move.feedback());
          history(c, caseId, from, move.to(), caller.name(), move.note());
          AuditLog.append(
              c,
              new AuditLog.Entry(
                  caller.name(),
                  "case_transition",
                  caseId,
                  current.getString("district"),
                  null,
                  "allowed",
                  new JsonObject().put("from", from).put("to", move.to())));
          return get(c, caseId).orElseThrow();
        });
  }

  /**
   * Dispatches an open case to another department, back to dispatched with its SLA unchanged; its
   * history records both departments and the audit log the reassignment, in one transaction. 409
   * for a case not open or already with that department.
   */
  Future<JsonObject> reassign(String caseId, String department, String note, Caller caller) {
    return db.transaction(
        c -> {
          JsonObject current =
              lock(c, caseId).orElseThrow(() -> ApiException.notFound("case", caseId));
          caller.requireDistrict(current.getString("district"));
          String from = current.getString("state");
          String was = current.getString("department");
          if (!CaseWorkflow.canReassign(from) || was.equals(department)) {
            throw ApiException.conflict(
                new JsonObject()
                    .put(
                        "reason",
                        was.equals(department)
                            ? "the case is with " + department + " already"
                            : "a " + from + " case is no longer open: it cannot be reassigned")
                    .put("state", from)
                    .put("allowed", new JsonArray(CaseWorkflow.allowed(from)))
                    .put("department", was));
          }
          try (PreparedStatement ps =
              Rows.bind(
                  c.prepareStatement(
                      "UPDATE grid_case SET department = ?, state = ? WHERE case_id = ?"),
                  department,
                  CaseState.DISPATCHED.word(),
                  caseId)) {
            ps.executeUpdate();
          }
          history(
              c,
              caseId,
              from,
              CaseState.DISPATCHED.word(),
              caller.name(),
              "reassigned from " + was + " to " + department + (note == null ? "" : ": " + note));
          AuditLog.append(
              c,
              new AuditLog.Entry(
                  caller.name(),
                  "reassign_case",
                  caseId,
                  current.getString("district"),
                  null,
                  "allowed",
                  new JsonObject().put("from", was).put("to", department)));
          return get(c, caseId).orElseThrow();
        });
  }

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
  static String create(Connection c, NewCase n, String actor) throws SQLException {
    String caseId =
        "gc-" + n.district().toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 12);
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        INSERT INTO grid_case (case_id, district, category, subtype, event_type, source, state, department, lat, lon,
                               description, reporter, detections, created_at, due_at, last_detected_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)"""),
            caseId,
            n.district(),
            n.category(),
            n.subtype(),
            n.eventType(),
            n.source(),
            CaseState.DISPATCHED.word(),
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
    history(c, caseId, null, CaseState.DISCOVERED.word(), actor, "source " + n.source());
    history(
        c,
        caseId,
        CaseState.DISCOVERED.word(),
        CaseState.DISPATCHED.word(),
        "system",
        "to " + n.department() + " by category " + n.subtype());
    return caseId;
  }

  private static void history(
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
  private static Optional<JsonObject> lock(Connection c, String caseId) throws SQLException {
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
  private static void move(Connection c, String caseId, String to, Integer rating, String feedback)
      throws SQLException {
    CaseState state = Word.parse(CaseState.class, to);
    String stamp =
        switch (state) {
          case RESOLVED -> ", resolved_at = now()";
          case CONFIRMED -> ", confirmed_at = now()";
          case CLOSED -> ", closed_at = now(), rating = ?, feedback = ?";
          default -> "";
        };
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE grid_case SET state = ?" + stamp + " WHERE case_id = ?")) {
      if (state == CaseState.CLOSED) {
        Rows.bind(ps, to, rating, feedback, caseId);
      } else {
        Rows.bind(ps, to, caseId);
      }
      ps.executeUpdate();
    }
  }

  /** A case with its allowed next states and its history; empty when unknown. */
  static Optional<JsonObject> get(Connection c, String caseId) throws SQLException {
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

  private static JsonObject list(
      Connection c,
      ReadScope scope,
      CaseFilter filter,
      Order order,
      int limit,
      int offset,
      String after)
      throws SQLException {
    StringBuilder where = new StringBuilder(" WHERE true");
    List<Object> params = new ArrayList<>();
    scope.where(where, params, "district");
    for (String[] f :
        new String[][] {
          {"state", filter.state()},
          {"department", filter.department()},
          {"subtype", filter.subtype()}
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
    if (after != null) {
      // Newest first, the page after a case is the older ones, found by (created_at, case_id);
      // oldest first, the newer ones.
      where.append(
          " AND (created_at, case_id) "
              + order.after
              + " (SELECT created_at, case_id FROM grid_case WHERE case_id = ?)");
      params.add(after);
    }
    params.add(limit);
    params.add(after == null ? offset : 0);
    JsonArray items = new JsonArray();
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT "
                        + COLUMNS
                        + " FROM grid_case"
                        + where
                        + " ORDER BY created_at %1$s, case_id %1$s LIMIT ? OFFSET ?"
                            .formatted(order.direction)),
                params.toArray());
        ResultSet rs = ps.executeQuery()) {
      Rows.all(rs).forEach(row -> items.add(withAllowed(row)));
    }
    return new JsonObject()
        .put("items", items)
        .put("total", total)
        .put("limit", limit)
        .put("offset", after == null ? offset : 0)
        .put(
            "next",
            items.size() == limit
                ? items.getJsonObject(items.size() - 1).getString("case_id")
                : null);
  }

  static JsonObject withAllowed(JsonObject row) {
    return row.put(
        "allowed_transitions", new JsonArray(CaseWorkflow.allowed(row.getString("state"))));
  }
}
