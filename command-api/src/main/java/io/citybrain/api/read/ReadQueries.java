package io.citybrain.api.read;

import io.citybrain.api.db.Rows;
import io.citybrain.proto.Severities;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The read side's SQL: blocking, called on the database worker pool. */
final class ReadQueries {
  /** Most urgent first. */
  static final String SEVERITY_RANK = Severities.sqlRank("severity");

  private ReadQueries() {}

  static JsonObject storedSnapshots(Connection c) throws SQLException {
    JsonObject out = new JsonObject();
    try (PreparedStatement ps =
            c.prepareStatement("SELECT district, snapshot FROM district_snapshot");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), new JsonObject(rs.getString(2)));
      }
    }
    return out;
  }

  static List<JsonObject> alerts(Connection c, String district, String state, int limit)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            """
        SELECT alert_id, rule_id, district, metric, severity, state, value, threshold, raised_at, cleared_at
        FROM alert WHERE true""");
    List<Object> params = new ArrayList<>();
    filter(sql, params, "district", district);
    filter(sql, params, "state", state);
    sql.append(" ORDER BY ").append(SEVERITY_RANK).append(" DESC, raised_at DESC LIMIT ?");
    params.add(limit);
    return list(c, sql.toString(), params);
  }

  static List<JsonObject> incidents(
      Connection c, String district, String state, String id, int limit) throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            """
        SELECT incident_id, pattern_id, district, severity, state, started_at, detected_at, summary, evidence,
               response_plan_id, alert_ids, closed_at
        FROM incident WHERE true""");
    List<Object> params = new ArrayList<>();
    filter(sql, params, "district", district);
    filter(sql, params, "state", state);
    filter(sql, params, "incident_id", id);
    sql.append(" ORDER BY detected_at DESC LIMIT ?");
    params.add(limit);
    return list(c, sql.toString(), params);
  }

  /** Devices with liveness, a page of them and the total that match. */
  static JsonObject devices(
      Connection c,
      String district,
      String kind,
      String deviceClass,
      Boolean online,
      int limit,
      int offset)
      throws SQLException {
    StringBuilder where = new StringBuilder(" WHERE true");
    List<Object> params = new ArrayList<>();
    filter(where, params, "d.district", district);
    filter(where, params, "d.kind", kind);
    filter(where, params, "d.device_class", deviceClass);
    if (online != null) {
      where.append(" AND coalesce(s.online, false) = ?");
      params.add(online);
    }
    String from = " FROM device d LEFT JOIN device_status s ON s.device_id = d.device_id";
    long total;
    try (PreparedStatement ps =
            Rows.bind(c.prepareStatement("SELECT count(*)" + from + where), params.toArray());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      total = rs.getLong(1);
    }
    List<Object> pageParams = new ArrayList<>(params);
    pageParams.add(limit);
    pageParams.add(offset);
    List<JsonObject> items =
        list(
            c,
            """
        SELECT d.device_id, d.district, d.kind, d.device_class, d.lat, d.lon, d.interval_s,
               coalesce(s.online, false) AS online, s.last_seen_at"""
                + from
                + where
                + " ORDER BY d.device_id LIMIT ? OFFSET ?",
            pageParams);
    return new JsonObject()
        .put("items", new JsonArray(items))
        .put("total", total)
        .put("limit", limit)
        .put("offset", offset);
  }

  /**
   * One metric's history: raw 10 s / 60 s windows from district_metric, or the hourly/daily views.
   */
  static List<JsonObject> history(
      Connection c, String district, String metric, Resolution resolution, Instant from, Instant to)
      throws SQLException {
    String sql =
        switch (resolution) {
          case TEN_SECONDS, ONE_MINUTE ->
              """
          SELECT window_start AS t, count, min, max, mean, sum, p95 FROM district_metric
          WHERE district = ? AND metric = ? AND window_start >= ? AND window_start < ? AND resolution_s = ?
          ORDER BY window_start""";
          case HOURLY, DAILY ->
              "SELECT bucket AS t, count, min, max, mean, sum, NULL::double precision AS p95 FROM "
                  + resolution.view()
                  + " WHERE district = ? AND metric = ? AND bucket >= ? AND bucket < ? ORDER BY bucket";
        };
    List<Object> params = new ArrayList<>(List.of(district, metric, from, to));
    if (resolution.view() == null) {
      params.add((int) resolution.step().toSeconds());
    }
    return list(c, sql, params);
  }

  /**
   * received = stored + duplicate + late + rejected per district, rejected broken down by reason.
   */
  static List<JsonObject> accounting(Connection c, String district) throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT district, counter, reason, value, updated_at FROM pipeline_accounting WHERE true");
    List<Object> params = new ArrayList<>();
    filter(sql, params, "district", district);
    sql.append(" ORDER BY district, counter, reason");
    Map<String, JsonObject> byDistrict = new LinkedHashMap<>();
    for (JsonObject row : list(c, sql.toString(), params)) {
      JsonObject d =
          byDistrict.computeIfAbsent(
              row.getString("district"),
              k ->
                  new JsonObject()
                      .put("district", k)
                      .put("received", 0L)
                      .put("stored", 0L)
                      .put("duplicate", 0L)
                      .put("late", 0L)
                      .put("rejected", 0L)
                      .put("rejected_by_reason", new JsonObject())
                      .put("updated_at", row.getString("updated_at")));
      String counter = row.getString("counter");
      long value = row.getLong("value");
      d.put(counter, d.getLong(counter) + value);
      if ("rejected".equals(counter) && !row.getString("reason").isEmpty()) {
        d.getJsonObject("rejected_by_reason").put(row.getString("reason"), value);
      }
      if (row.getString("updated_at").compareTo(d.getString("updated_at")) > 0) {
        d.put("updated_at", row.getString("updated_at"));
      }
    }
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject d : byDistrict.values()) {
      long accounted =
          d.getLong("stored") + d.getLong("duplicate") + d.getLong("late") + d.getLong("rejected");
      out.add(d.put("balanced", accounted == d.getLong("received")));
    }
    return out;
  }

  /** Open alerts and incidents per district, and the city's device liveness. */
  static JsonObject counts(Connection c) throws SQLException {
    JsonObject alerts = new JsonObject();
    JsonObject incidents = new JsonObject();
    try (PreparedStatement ps =
            c.prepareStatement(
                """
        SELECT 'a', district, count(*) FROM alert WHERE state = 'raised' GROUP BY district
        UNION ALL SELECT 'i', district, count(*) FROM incident WHERE state <> 'closed' GROUP BY district""");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        (rs.getString(1).equals("a") ? alerts : incidents).put(rs.getString(2), rs.getLong(3));
      }
    }
    JsonObject out = new JsonObject().put("alerts", alerts).put("incidents", incidents);
    try (PreparedStatement ps =
            c.prepareStatement(
                """
        SELECT d.district, count(*), count(*) FILTER (WHERE s.online)
        FROM device d LEFT JOIN device_status s ON s.device_id = d.device_id GROUP BY d.district""");
        ResultSet rs = ps.executeQuery()) {
      JsonObject devices = new JsonObject();
      while (rs.next()) {
        devices.put(
            rs.getString(1),
            new JsonObject().put("total", rs.getLong(2)).put("online", rs.getLong(3)));
      }
      out.put("devices", devices);
    }
    return out;
  }

  static void filter(StringBuilder sql, List<Object> params, String column, Object value) {
    if (value != null) {
      sql.append(" AND ").append(column).append(" = ?");
      params.add(value);
    }
  }

  static List<JsonObject> list(Connection c, String sql, List<Object> params) throws SQLException {
    try (PreparedStatement ps = Rows.bind(c.prepareStatement(sql), params.toArray());
        ResultSet rs = ps.executeQuery()) {
      return Rows.all(rs);
    }
  }
}
