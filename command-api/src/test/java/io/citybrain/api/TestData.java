package io.citybrain.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Rows the stream job and ingest would write, put in directly so the API's tests control every
 * value.
 */
final class TestData {
  private TestData() {}

  static void exec(DataSource ds, String sql, Object... params) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        ps.setObject(i + 1, p instanceof Instant at ? Timestamp.from(at) : p);
      }
      ps.execute();
    }
  }

  static long count(DataSource ds, String sql, Object... params) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        ps.setObject(i + 1, p instanceof Instant at ? Timestamp.from(at) : p);
      }
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static void alert(
      DataSource ds, String id, String district, String severity, String state, Instant raisedAt)
      throws SQLException {
    exec(
        ds,
        """
        INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold, raised_at)
        VALUES (?, ?, ?, 'pm25', ?, ?, 80, 75, ?)""",
        id,
        "rule-" + id,
        district,
        severity,
        state,
        raisedAt);
  }

  static void incident(
      DataSource ds, String id, String district, String planId, double lat, double lon)
      throws SQLException {
    exec(
        ds,
        """
        INSERT INTO incident (incident_id, pattern_id, district, severity, started_at, detected_at, summary, evidence,
                              response_plan_id)
        VALUES (?, 'flood', ?, 'high', now() - interval '5 minutes', now(), 'Water rising on low roads',
                ?::jsonb, ?)""",
        id,
        district,
        "[{\"device_id\":\""
            + district
            + "-WL-00001\",\"kind\":\"reading\",\"what\":\"water_level_pct\","
            + "\"value\":91.0,\"position\":{\"lat\":"
            + lat
            + ",\"lon\":"
            + lon
            + "}}]",
        planId);
  }

  static void metric(
      DataSource ds,
      String district,
      String metric,
      int resolutionS,
      Instant windowStart,
      long count,
      double sum)
      throws SQLException {
    exec(
        ds,
        """
        INSERT INTO district_metric (district, metric, resolution_s, window_start, count, min, max, sum, mean)
        VALUES (?, ?, ?, ?, ?, 1, 100, ?, ?)""",
        district,
        metric,
        resolutionS,
        windowStart,
        count,
        sum,
        sum / count);
  }

  static void accounting(DataSource ds, String district, String counter, String reason, long value)
      throws SQLException {
    exec(
        ds,
        "INSERT INTO pipeline_accounting (district, counter, reason, value) VALUES (?, ?, ?, ?)",
        district,
        counter,
        reason,
        value);
  }
}
