package io.citybrain.ingest.jdbc;

import io.citybrain.ingest.validate.KnownDevice;
import io.citybrain.ingest.validate.MetricRange;
import io.citybrain.ingest.validate.Registry;
import io.citybrain.ingest.validate.RegistryLoader;
import io.citybrain.storage.Jdbc;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The registry as PostgreSQL holds it: the {@code device}, {@code metric_kind} and {@code
 * camera_event_type} tables.
 */
public final class JdbcRegistryLoader implements RegistryLoader {
  private static final long serialVersionUID = 1L;
  private final String jdbcUrl;

  public JdbcRegistryLoader(String jdbcUrl) {
    this.jdbcUrl = jdbcUrl;
  }

  @Override
  public Registry load() throws SQLException {
    try (Connection c = Jdbc.connect(jdbcUrl)) {
      return new Registry(devices(c), ranges(c), eventTypes(c));
    }
  }

  private static Map<String, KnownDevice> devices(Connection c) throws SQLException {
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
    return devices;
  }

  private static Map<String, MetricRange> ranges(Connection c) throws SQLException {
    Map<String, MetricRange> ranges = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, min_value, max_value FROM metric_kind")) {
      while (rs.next()) {
        ranges.put(rs.getString(1), new MetricRange(rs.getDouble(2), rs.getDouble(3)));
      }
    }
    return ranges;
  }

  private static Set<String> eventTypes(Connection c) throws SQLException {
    Set<String> types = new HashSet<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM camera_event_type")) {
      while (rs.next()) {
        types.add(rs.getString(1));
      }
    }
    return types;
  }
}
