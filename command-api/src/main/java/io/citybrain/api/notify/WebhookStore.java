package io.citybrain.api.notify;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * Subscriptions as admins see them (never their secret, but once at creation) and their recent
 * deliveries; creation and deactivation audited in the same transaction.
 */
public final class WebhookStore {
  private static final String COLUMNS =
      "id, name, url, events, districts, active, created_by, created_at, deleted_by, deleted_at";

  private final Db db;

  public WebhookStore(Db db) {
    this.db = db;
  }

  /** What an admin asks for; {@code districts} empty: every district. */
  public record Subscription(String name, URI url, List<String> events, Set<String> districts) {}

  /** Stores the subscription with a new secret, returned here and never again. */
  public Future<JsonObject> create(Subscription s, Caller caller) {
    String secret = WebhookSignature.newSecret();
    return db.transaction(
        c -> {
          JsonObject created;
          try (PreparedStatement ps =
                  Rows.bind(
                      c.prepareStatement(
                          "INSERT INTO webhook_subscription (name, url, secret, events, districts,"
                              + " created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING "
                              + COLUMNS),
                      s.name(),
                      s.url().toString(),
                      secret,
                      c.createArrayOf("text", s.events().toArray()),
                      c.createArrayOf("text", s.districts().stream().sorted().toArray()),
                      caller.name());
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            created = Rows.one(rs);
          }
          AuditLog.append(
              c,
              new AuditLog.Entry(
                  caller.name(),
                  "create_webhook",
                  String.valueOf(created.getLong("id")),
                  null,
                  null,
                  "allowed",
                  // The host only: a webhook URL's path or query is often a credential itself.
                  new JsonObject()
                      .put("name", s.name())
                      .put("host", s.url().getHost())
                      .put("events", new JsonArray(s.events()))
                      .put("districts", new JsonArray(s.districts().stream().sorted().toList()))));
          return created.put("secret", secret);
        });
  }

  /** Every subscription the caller's scope covers, newest first. */
  public Future<JsonObject> list(Caller caller) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT " + COLUMNS + " FROM webhook_subscription ORDER BY id DESC");
              ResultSet rs = ps.executeQuery()) {
            JsonArray items = new JsonArray();
            for (JsonObject row : Rows.all(rs)) {
              if (covers(caller, row)) {
                items.add(row);
              }
            }
            return new JsonObject().put("items", items);
          }
        });
  }

  /**
   * Deactivates the subscription: no new deliveries, and those still pending end failed. Repeating
   * it changes nothing more.
   */
  public Future<JsonObject> deactivate(long id, Caller caller) {
    return db.transaction(
        c -> {
          JsonObject row = locked(c, id, caller);
          if (row.getBoolean("active")) {
            try (PreparedStatement ps =
                Rows.bind(
                    c.prepareStatement(
                        "UPDATE webhook_subscription SET active = false, deleted_by = ?,"
                            + " deleted_at = now() WHERE id = ?"),
                    caller.name(),
                    id)) {
              ps.executeUpdate();
            }
            int dropped;
            try (PreparedStatement ps =
                Rows.bind(
                    c.prepareStatement(
                        "UPDATE webhook_delivery SET state = 'failed', last_error = ?"
                            + " WHERE subscription_id = ? AND state = 'pending'"),
                    "the subscription was deleted by " + caller.name(),
                    id)) {
              dropped = ps.executeUpdate();
            }
            AuditLog.append(
                c,
                new AuditLog.Entry(
                    caller.name(),
                    "delete_webhook",
                    String.valueOf(id),
                    null,
                    null,
                    "allowed",
                    new JsonObject()
                        .put("name", row.getString("name"))
                        .put("pending_dropped", dropped)));
          }
          return select(c, id).orElseThrow();
        });
  }

  /** The subscription's latest deliveries, newest first, each with its attempts. */
  public Future<JsonObject> deliveries(long id, int limit, Caller caller) {
    return db.query(
        c -> {
          JsonObject subscription = visible(c, id, caller);
          JsonArray items = new JsonArray();
          try (PreparedStatement ps =
                  Rows.bind(
                      c.prepareStatement(
                          """
              SELECT d.id AS delivery_id, d.event_id, e.type, e.district, e.item_kind, e.item_id,
                     e.at AS event_at, d.state, d.attempts, d.next_attempt_at, d.last_attempt_at,
                     d.last_status, d.last_error, d.delivered_at, d.created_at,
                     coalesce((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'at', a.at,
                                 'status', a.status, 'error', a.error, 'duration_ms', a.duration_ms)
                               ORDER BY a.attempt, a.id)
                               FROM webhook_attempt a WHERE a.delivery_id = d.id), '[]') AS history
              FROM webhook_delivery d JOIN notification_event e ON e.id = d.event_id
              WHERE d.subscription_id = ? ORDER BY d.id DESC LIMIT ?"""),
                      id,
                      limit);
              ResultSet rs = ps.executeQuery()) {
            Rows.all(rs).forEach(items::add);
          }
          return new JsonObject().put("subscription", subscription).put("items", items);
        });
  }

  private JsonObject locked(Connection c, long id, Caller caller) throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM webhook_subscription WHERE id = ? FOR UPDATE"),
                id);
        ResultSet rs = ps.executeQuery()) {
      return scoped(rs.next() ? Rows.one(rs) : null, id, caller);
    }
  }

  private JsonObject visible(Connection c, long id, Caller caller) throws SQLException {
    return scoped(select(c, id).orElse(null), id, caller);
  }

  private static JsonObject scoped(JsonObject row, long id, Caller caller) {
    if (row == null) {
      throw ApiException.notFound("webhook", String.valueOf(id));
    }
    if (!covers(caller, row)) {
      throw ApiException.forbidden(
          "webhook " + id + " covers districts outside caller '" + caller.name() + "''s scope");
    }
    return row;
  }

  private java.util.Optional<JsonObject> select(Connection c, long id) throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement("SELECT " + COLUMNS + " FROM webhook_subscription WHERE id = ?"),
                id);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? java.util.Optional.of(Rows.one(rs)) : java.util.Optional.empty();
    }
  }

  /**
   * A district-scoped admin sees and changes only subscriptions within its districts (a city-wide
   * one, with no districts, is the city's).
   */
  static boolean covers(Caller caller, JsonObject row) {
    JsonArray districts = row.getJsonArray("districts");
    return caller.districts().isEmpty()
        || (!districts.isEmpty()
            && districts.stream().allMatch(d -> caller.districts().contains((String) d)));
  }
}
