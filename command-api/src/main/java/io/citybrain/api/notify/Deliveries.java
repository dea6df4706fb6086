package io.citybrain.api.notify;

import io.citybrain.api.db.Rows;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The delivery queue in the database, safe for any number of API processes: events fanned out once
 * to their subscriptions (the unique (subscription, event) key), due deliveries claimed with {@code
 * FOR UPDATE SKIP LOCKED} and held for a while so no other process sends them meanwhile, every
 * attempt's outcome recorded. Blocking: call on a database worker.
 */
final class Deliveries {
  /** Events fanned out per transaction; the rest wait for the next round. */
  static final int FAN_OUT_BATCH = 500;

  private final WebhookSettings settings;

  Deliveries(WebhookSettings settings) {
    this.settings = settings;
  }

  /**
   * Makes the deliveries of the committed events not fanned out yet: one per active subscription
   * that asks for the event's type in its district, created before the event. Returns the number of
   * events taken.
   */
  int fanOut(Connection c) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        WITH batch AS (
          SELECT id, type, district, at FROM notification_event WHERE NOT fanned_out
          ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED),
        made AS (
          INSERT INTO webhook_delivery (subscription_id, event_id)
          SELECT s.id, b.id FROM batch b JOIN webhook_subscription s
            ON s.active AND b.type = ANY (s.events) AND b.at >= s.created_at
           AND (cardinality(s.districts) = 0 OR b.district = ANY (s.districts))
          ON CONFLICT (subscription_id, event_id) DO NOTHING)
        UPDATE notification_event e SET fanned_out = true FROM batch b WHERE e.id = b.id"""),
            FAN_OUT_BATCH)) {
      return ps.executeUpdate();
    }
  }

  /**
   * Due deliveries, at most {@code limit}, each counted as one more attempt and held for {@link
   * WebhookSettings#claim()}: what this process sends now.
   */
  List<Claimed> claim(Connection c, int limit) throws SQLException {
    List<Claimed> claimed = new ArrayList<>();
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        WITH due AS (
          SELECT id FROM webhook_delivery
          WHERE state = 'pending' AND next_attempt_at <= now() AND attempts < ?
          ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)
        UPDATE webhook_delivery d SET attempts = d.attempts + 1, last_attempt_at = now(),
          next_attempt_at = now() + ? * interval '1 millisecond'
        FROM due, webhook_subscription s, notification_event e
        WHERE d.id = due.id AND s.id = d.subscription_id AND e.id = d.event_id
        RETURNING d.id, d.attempts, s.url, s.secret, e.id AS event_id, e.type, e.district, e.item_kind,
                  e.item_id, e.at, e.payload"""),
                settings.maxAttempts(),
                limit,
                settings.claim().toMillis());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        JsonObject row = Rows.one(rs);
        claimed.add(
            new Claimed(
                row.getLong("id"),
                row.getInteger("attempts"),
                row.getString("url"),
                row.getString("secret"),
                row.getLong("event_id"),
                row.getString("type"),
                body(row)));
      }
    }
    return claimed;
  }

  /** What a receiver gets: the event, its item and the item's fields at the time. */
  private static String body(JsonObject row) {
    return new JsonObject()
        .put("id", row.getLong("event_id"))
        .put("type", row.getString("type"))
        .put("at", row.getString("at"))
        .put("district", row.getString("district"))
        .put("item_kind", row.getString("item_kind"))
        .put("item_id", row.getString("item_id"))
        .put("data", row.getJsonObject("payload"))
        .encode();
  }

  /**
   * An attempt's outcome: delivered on 2xx; else retried after the backoff, or failed after the
   * last attempt. Only the claim that made the attempt records it (a deleted subscription's
   * delivery is final already); the attempt row is kept either way.
   */
  void record(Connection c, Claimed d, Outcome outcome) throws SQLException {
    String state =
        outcome.delivered()
            ? "delivered"
            : d.attempt() >= settings.maxAttempts() ? "failed" : "pending";
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        UPDATE webhook_delivery SET state = ?, last_status = ?, last_error = ?,
          delivered_at = CASE WHEN ? = 'delivered' THEN now() END,
          next_attempt_at = CASE WHEN ? = 'pending' THEN now() + ? * interval '1 millisecond'
                                 ELSE next_attempt_at END
        WHERE id = ? AND attempts = ? AND state = 'pending'"""),
            state,
            outcome.status(),
            outcome.error(),
            state,
            state,
            settings.delayAfter(d.attempt()).toMillis(),
            d.id(),
            d.attempt())) {
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "INSERT INTO webhook_attempt (delivery_id, attempt, status, error, duration_ms)"
                    + " VALUES (?, ?, ?, ?, ?)"),
            d.id(),
            d.attempt(),
            outcome.status(),
            outcome.error(),
            (int) Math.min(Integer.MAX_VALUE, outcome.durationMs()))) {
      ps.executeUpdate();
    }
  }

  /**
   * Ends the deliveries whose last attempt was claimed by a process that stopped before recording
   * it: nothing will try them again.
   */
  int expire(Connection c) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        UPDATE webhook_delivery SET state = 'failed',
          last_error = coalesce(last_error || '; ', '')
                       || 'attempt ' || attempts || ' was sent by a process that stopped before its outcome'
        WHERE state = 'pending' AND attempts >= ? AND next_attempt_at <= now()"""),
            settings.maxAttempts())) {
      return ps.executeUpdate();
    }
  }

  /** A delivery this process is sending now: its attempt number, target, secret and body. */
  record Claimed(
      long id, int attempt, String url, String secret, long eventId, String type, String body) {}

  /** One attempt's outcome: the HTTP status (null without an answer) and what went wrong. */
  record Outcome(boolean delivered, Integer status, String error, long durationMs) {}
}
