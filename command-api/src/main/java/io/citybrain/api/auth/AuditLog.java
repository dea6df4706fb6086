package io.citybrain.api.auth;

import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ReadScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends to audit_log (the database refuses updates and deletes): every command attempt, allowed
 * or denied; and reads it back for admins.
 */
public final class AuditLog {
  private final Db db;

  public AuditLog(Db db) {
    this.db = db;
  }

  /** One audited attempt. {@code outcome}: allowed, denied, repeated, invalid, failed. */
  public record Entry(
      String actor,
      String action,
      String target,
      String district,
      String requestId,
      String outcome,
      JsonObject detail) {}

  public Future<Void> append(Entry entry) {
    return db.query(
        connection -> {
          append(connection, entry);
          return null;
        });
  }

  /**
   * The latest entries within the scope, newest first, of one action or of all. A district-scoped
   * reader sees its districts' rows only (not logins, which have no district).
   */
  public Future<JsonObject> recent(int limit, String action, ReadScope scope) {
    return db.query(
        c -> {
          List<Object> params = new ArrayList<>();
          StringBuilder sql =
              new StringBuilder(
                  "SELECT id, at, actor, action, target, district, request_id, outcome, detail"
                      + " FROM audit_log WHERE true");
          if (action != null) {
            sql.append(" AND action = ?");
            params.add(action);
          }
          scope.where(sql, params, "district");
          sql.append(" ORDER BY id DESC LIMIT ?");
          params.add(limit);
          try (PreparedStatement ps =
                  Rows.bind(c.prepareStatement(sql.toString()), params.toArray());
              ResultSet rs = ps.executeQuery()) {
            return new JsonObject().put("items", new JsonArray(Rows.all(rs)));
          }
        });
  }

  /** Inside the caller's transaction, so the audit row and the change commit together. */
  public static void append(Connection connection, Entry entry) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            """
        INSERT INTO audit_log (actor, action, target, district, request_id, outcome, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)""")) {
      ps.setString(1, entry.actor());
      ps.setString(2, entry.action());
      ps.setString(3, entry.target());
      ps.setString(4, entry.district());
      ps.setString(5, entry.requestId());
      ps.setString(6, entry.outcome());
      ps.setString(7, entry.detail() == null ? null : entry.detail().encode());
      ps.executeUpdate();
    }
  }
}
