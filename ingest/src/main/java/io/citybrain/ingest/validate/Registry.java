package io.citybrain.ingest.validate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The device registry and metric ranges as read from the database: what validation checks against.
 */
public record Registry(Map<String, KnownDevice> devices, Map<String, MetricRange> ranges) {

  /** Reads both; 100,000 devices take a few MB. */
  public static Registry read(Connection c) throws SQLException {
    Map<String, KnownDevice> devices = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT device_id, district, device_class, interval_s, lat, lon FROM device")) {
      while (rs.next()) {
        devices.put(
            rs.getString(1),
            new KnownDevice(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getInt(4),
                rs.getDouble(5),
                rs.getDouble(6)));
      }
    }
    Map<String, MetricRange> ranges = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, min_value, max_value FROM metric_kind")) {
      while (rs.next()) {
        ranges.put(rs.getString(1), new MetricRange(rs.getDouble(2), rs.getDouble(3)));
      }
    }
    return new Registry(devices, ranges);
  }

  /** A validator against this registry on the system clock. */
  public TelemetryValidator validator(Duration futureLimit) {
    return new TelemetryValidator(
        id -> Optional.ofNullable(devices.get(id)), ranges, futureLimit, Clock.systemUTC());
  }
}
