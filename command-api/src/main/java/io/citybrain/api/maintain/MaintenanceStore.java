package io.citybrain.api.maintain;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.ReadScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Maintenance windows in PostgreSQL: created, listed and ended, each change audited with it. */
public final class MaintenanceStore {
  private static final String COLUMNS =
      """
      id, scope_kind, scope_value, district, starts_at, ends_at, reason, created_by, created_at,
      cancelled_at, cancelled_by, (starts_at <= now() AND now() < ends_at) AS active,
      (SELECT count(*) FROM alert a WHERE a.suppressed_by = w.id) AS suppressed_alerts""";

  private final Db db;

  public MaintenanceStore(Db db) {
    this.db = db;
  }

  /** A window to create, validated. */
  public record Window(
      String scopeKind,
      String scopeValue,
      String district,
      Instant startsAt,
      Instant endsAt,
      String reason) {}

  /** A window as the live feed matches raises against it. */
  public record Span(
      long id, String scopeKind, String scopeValue, String district, Instant from, Instant to) {

    /** Whether a raise of this rule in this district at this event time is muted. */
    public boolean mutes(String alertDistrict, String ruleId, Instant raisedAt) {
      return district.equals(alertDistrict)
          && ("district".equals(scopeKind) || scopeValue.equals(ruleId))
          && !raisedAt.isBefore(from)
          && raisedAt.isBefore(to);
    }
  }

  public Future<JsonObject> create(Window w, Caller caller) {
    return db.transaction(
        c -> {
          long id;
          try (PreparedStatement ps =
                  Rows.bind(
                      c.prepareStatement(
                          """
                  INSERT INTO maintenance_window (scope_kind, scope_value, district, starts_at, ends_at, reason,
                                                  created_by)
                  VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"""),
                      w.scopeKind(),
                      w.scopeValue(),
                      w.district(),
                      w.startsAt(),
                      w.endsAt(),
                      w.reason(),
                      caller.name());
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            id = rs.getLong(1);
          }
          AuditLog.append(
              c,
              new AuditLog.Entry(
                  caller.name(),
                  "create_maintenance_window",
                  String.valueOf(id),
                  w.district(),
                  null,
                  "allowed",
                  new JsonObject()
                      .put("scope_kind", w.scopeKind())
                      .put("scope_value", w.scopeValue())
                      .put("starts_at", w.startsAt().toString())
                      .put("ends_at", w.endsAt().toString())
                      .put("reason", w.reason())));
          return select(c, id).orElseThrow();
        });
  }

  /**
   * @param active only windows in effect now (true), only the others (false), or all (null)
   */
  public Future<List<JsonObject>> list(ReadScope scope, Boolean active, int limit) {
    return db.query(
        c -> {
          List<Object> params = new ArrayList<>();
          StringBuilder sql =
              new StringBuilder("SELECT " + COLUMNS + " FROM maintenance_window w WHERE ");
          sql.append(scope.condition("w.district", params));
          if (active != null) {
            sql.append(
                active
                    ? " AND w.starts_at <= now() AND now() < w.ends_at"
                    : " AND NOT (w.starts_at <= now() AND now() < w.ends_at)");
          }
          sql.append(" ORDER BY w.starts_at DESC, w.id DESC LIMIT ?");
          params.add(limit);
          try (PreparedStatement ps =
                  Rows.bind(c.prepareStatement(sql.toString()), params.toArray());
              ResultSet rs = ps.executeQuery()) {
            return Rows.all(rs);
          }
        });
  }

  /**
   * Ends the window now: cancelled, its end pulled back to now (a window not started yet becomes
   * empty). Ending an ended window changes nothing and is not audited again.
   */
  public Future<JsonObject> end(long id, Caller caller) {
    return db.transaction(
        c -> {
          String district;
          boolean open;
          try (PreparedStatement ps =
                  Rows.bind(
                      c.prepareStatement(
                          "SELECT district, cancelled_at IS NULL AND ends_at > now() FROM maintenance_window"
                              + " WHERE id = ? FOR UPDATE"),
                      id);
              ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw ApiException.notFound("maintenance window", String.valueOf(id));
            }
            district = rs.getString(1);
            open = rs.getBoolean(2);
          }
          caller.requireDistrict(district);
          if (open) {
            try (PreparedStatement ps =
                Rows.bind(
                    c.prepareStatement(
                        """
                UPDATE maintenance_window SET cancelled_at = now(), cancelled_by = ?,
                  ends_at = least(ends_at, greatest(starts_at, now())) WHERE id = ?"""),
                    caller.name(),
                    id)) {
              ps.executeUpdate();
            }
            AuditLog.append(
                c,
                new AuditLog.Entry(
                    caller.name(),
                    "end_maintenance_window",
                    String.valueOf(id),
                    district,
                    null,
                    "allowed",
                    null));
          }
          return select(c, id).orElseThrow();
        });
  }

  /** Windows that end after {@code since}: the ones a raise pushed now can still fall in. */
  public Future<List<Span>> spans(Instant since) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
                  Rows.bind(
                      c.prepareStatement(
                          "SELECT id, scope_kind, scope_value, district, starts_at, ends_at"
                              + " FROM maintenance_window WHERE ends_at > ? AND ends_at > starts_at"),
                      since);
              ResultSet rs = ps.executeQuery()) {
            List<Span> spans = new ArrayList<>();
            while (rs.next()) {
              spans.add(
                  new Span(
                      rs.getLong(1),
                      rs.getString(2),
                      rs.getString(3),
                      rs.getString(4),
                      instant(rs.getTimestamp(5)),
                      instant(rs.getTimestamp(6))));
            }
            return spans;
          }
        });
  }

  private static Instant instant(Timestamp t) {
    return t.toInstant();
  }

  private static Optional<JsonObject> select(Connection c, long id) throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement("SELECT " + COLUMNS + " FROM maintenance_window w WHERE id = ?"),
                id);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(Rows.one(rs)) : Optional.empty();
    }
  }
}
