package io.citybrain.api.work;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.proto.AlertHandling;
import io.citybrain.proto.AlertStates;
import io.citybrain.proto.RunState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Alerts, incidents and department tasks as people move them: each move checked against its
 * lifecycle, stamped, recorded in {@code work_event} and audited in one transaction.
 */
public final class WorkStore {
  private final Db db;

  public WorkStore(Db db) {
    this.db = db;
  }

  /** A move a caller asks for. */
  record Move(String to, String note) {}

  /**
   * Moves an item: 400 for a state its lifecycle does not have, 403 for the role or the district,
   * 404 for an unknown item, 409 naming the current state and the allowed ones.
   */
  Future<JsonObject> move(WorkKind kind, String id, Move move, Caller caller) {
    if (!kind.flow().states().contains(move.to())) {
      throw ApiException.badRequest(
          "to", "a " + kind.word() + " has no state '" + move.to() + "': " + kind.flow().states());
    }
    caller.require(kind.roleFor(move.to()));
    return db.transaction(
        c -> {
          JsonObject item = locked(c, kind, id, caller);
          String from = item.getString(kind.stateColumn());
          if (!kind.flow().canMove(from, move.to())) {
            throw ApiException.conflict(
                new JsonObject()
                    .put("reason", "a " + from + " " + kind.word() + " cannot become " + move.to())
                    .put("state", from)
                    .put("from", from)
                    .put("to", move.to())
                    .put("allowed", new JsonArray(kind.flow().allowed(from))));
          }
          try (PreparedStatement ps = c.prepareStatement(kind.update(move.to()))) {
            if (kind.stamps(move.to())) {
              Rows.bind(ps, move.to(), caller.name(), id);
            } else {
              Rows.bind(ps, move.to(), id);
            }
            ps.executeUpdate();
          }
          String district = item.getString("district");
          record(
              c,
              new Event(
                  kind, id, district, "transition", from, move.to(), caller.name(), move.note()));
          audit(
              c,
              caller,
              "transition_" + kind.word(),
              id,
              district,
              new JsonObject().put("from", from).put("to", move.to()));
          return view(c, kind, id).orElseThrow();
        });
  }

  /**
   * Assigns an alert to a user ({@code user:NAME}, one who may act in its district) or a department
   * ({@code department:ID}); a resolved alert is 409.
   */
  Future<JsonObject> assignAlert(String alertId, String assignee, String note, Caller caller) {
    return db.transaction(
        c -> {
          JsonObject alert = locked(c, WorkKind.ALERT, alertId, caller);
          String district = alert.getString("district");
          checkAssignee(c, assignee, district);
          String handling = alert.getString("handling");
          if (AlertHandling.RESOLVED.word().equals(handling)) {
            throw ApiException.conflict(
                new JsonObject()
                    .put("reason", "a resolved alert is not assigned")
                    .put("state", handling)
                    .put("allowed", new JsonArray()));
          }
          try (PreparedStatement ps =
              Rows.bind(
                  c.prepareStatement(
                      "UPDATE alert SET assignee = ?, assigned_at = now() WHERE alert_id = ?"),
                  assignee,
                  alertId)) {
            ps.executeUpdate();
          }
          record(
              c,
              new Event(
                  WorkKind.ALERT,
                  alertId,
                  district,
                  "assign",
                  handling,
                  handling,
                  caller.name(),
                  note == null ? "to " + assignee : "to " + assignee + ": " + note));
          audit(
              c,
              caller,
              "assign_alert",
              alertId,
              district,
              new JsonObject().put("assignee", assignee));
          return view(c, WorkKind.ALERT, alertId).orElseThrow();
        });
  }

  /** An incident's timeline (IncidentTimeline), after the same checks as {@link #find}. */
  Future<JsonObject> timeline(String incidentId, int limit, Caller caller) {
    return db.query(
        c -> {
          // The row only: the timeline needs its district and state, not its history.
          JsonObject incident;
          try (PreparedStatement ps =
                  Rows.bind(c.prepareStatement(WorkKind.INCIDENT.select()), incidentId);
              ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw notFound(WorkKind.INCIDENT, incidentId);
            }
            incident = Rows.one(rs);
          }
          caller.requireDistrict(incident.getString("district"));
          return new JsonObject()
              .put("incident_id", incidentId)
              .put("district", incident.getString("district"))
              .put("state", incident.getString("state"))
              .put("items", IncidentTimeline.of(c, incidentId, limit));
        });
  }

  /** A comment on an incident, in its history and timeline; any state, closed included. */
  Future<JsonObject> comment(String incidentId, String text, Caller caller) {
    return db.transaction(
        c -> {
          JsonObject incident = locked(c, WorkKind.INCIDENT, incidentId, caller);
          String district = incident.getString("district");
          String state = incident.getString("state");
          record(
              c,
              new Event(
                  WorkKind.INCIDENT,
                  incidentId,
                  district,
                  "comment",
                  state,
                  state,
                  caller.name(),
                  text));
          audit(
              c,
              caller,
              "comment_incident",
              incidentId,
              district,
              new JsonObject().put("length", text.length()));
          return view(c, WorkKind.INCIDENT, incidentId).orElseThrow();
        });
  }

  /**
   * An item with its allowed moves and history; 404 unknown, 403 outside the caller's districts.
   */
  Future<JsonObject> find(WorkKind kind, String id, Caller caller) {
    return db.query(
        c -> {
          JsonObject item = view(c, kind, id).orElseThrow(() -> notFound(kind, id));
          caller.requireDistrict(item.getString("district"));
          return item;
        });
  }

  /** One move of one item, by a person or by the system. */
  public record Event(
      WorkKind kind,
      String itemId,
      String district,
      String action,
      String from,
      String to,
      String actor,
      String note) {}

  /** Records a move in the items' history (also for the moves the system makes). */
  public static void record(Connection c, Event e) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        INSERT INTO work_event (kind, item_id, district, action, from_state, to_state, actor, note)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""),
            e.kind().word(),
            e.itemId(),
            e.district(),
            e.action(),
            e.from(),
            e.to(),
            e.actor(),
            e.note())) {
      ps.executeUpdate();
    }
  }

  /** The item as the routes show it; empty when unknown. */
  public static Optional<JsonObject> view(Connection c, WorkKind kind, String id)
      throws SQLException {
    JsonObject item;
    try (PreparedStatement ps = Rows.bind(c.prepareStatement(kind.select()), id);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      item = Rows.one(rs);
    }
    item.put(
        "allowed_transitions",
        new JsonArray(kind.flow().allowed(item.getString(kind.stateColumn()))));
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT action, from_state, to_state, actor, at, note FROM work_event
        WHERE kind = ? AND item_id = ? ORDER BY id"""),
                kind.word(),
                id);
        ResultSet rs = ps.executeQuery()) {
      item.put("history", new JsonArray(Rows.all(rs)));
    }
    if (kind == WorkKind.INCIDENT) {
      item.put("resolve_proposed", resolveProposed(c, item));
    }
    return Optional.of(item);
  }

  /**
   * Whether the incident looks done and only waits for a person: not yet resolved, every alert it
   * links cleared, and no run of it still running (or cancelling, queued, awaiting approval).
   */
  private static boolean resolveProposed(Connection c, JsonObject incident) throws SQLException {
    if (!WorkKind.INCIDENT.flow().canMove(incident.getString("state"), "resolved")) {
      return false;
    }
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT NOT EXISTS (SELECT 1 FROM alert a JOIN incident i ON a.alert_id = ANY (i.alert_ids)
                           WHERE i.incident_id = ? AND a.state = ?)
           AND NOT EXISTS (SELECT 1 FROM plan_run WHERE incident_id = ? AND state IN (?, ?, ?, ?))"""),
                incident.getString("incident_id"),
                AlertStates.RAISED,
                incident.getString("incident_id"),
                RunState.RUNNING.word(),
                RunState.CANCELLING.word(),
                RunState.QUEUED.word(),
                RunState.AWAITING_APPROVAL.word());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static JsonObject locked(Connection c, WorkKind kind, String id, Caller caller)
      throws SQLException {
    JsonObject item;
    try (PreparedStatement ps = Rows.bind(c.prepareStatement(kind.lock()), id);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw notFound(kind, id);
      }
      item = Rows.one(rs);
    }
    caller.requireDistrict(item.getString("district"));
    return item;
  }

  /**
   * 400 unless the assignee names a department, or an enabled operator (or above) who may act in
   * the district; one message for every user refused, so it tells nothing of other accounts.
   */
  private static void checkAssignee(Connection c, String assignee, String district)
      throws SQLException {
    int colon = assignee == null ? -1 : assignee.indexOf(':');
    String type = colon < 0 ? "" : assignee.substring(0, colon);
    String name = colon < 0 ? "" : assignee.substring(colon + 1);
    String sql =
        switch (type) {
          case "department" -> "SELECT true FROM department WHERE id = ?";
          case "user" ->
              "SELECT true FROM api_user WHERE (cardinality(districts) = 0 OR ? = ANY (districts))"
                  + " AND username = ? AND NOT disabled AND role <> 'viewer'";
          default ->
              throw ApiException.badRequest(
                  "assignee", "must be user:NAME or department:ID, was '" + assignee + "'");
        };
    try (PreparedStatement ps =
            type.equals("user")
                ? Rows.bind(c.prepareStatement(sql), district, name)
                : Rows.bind(c.prepareStatement(sql), name);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw ApiException.badRequest(
            "assignee",
            type.equals("user")
                ? "no operator '" + name + "' who may act in district " + district
                : "no department '" + name + "'");
      }
    }
  }

  private static void audit(
      Connection c, Caller caller, String action, String id, String district, JsonObject detail)
      throws SQLException {
    AuditLog.append(
        c, new AuditLog.Entry(caller.name(), action, id, district, null, "allowed", detail));
  }

  private static ApiException notFound(WorkKind kind, String id) {
    return ApiException.notFound(kind.word(), id);
  }
}
