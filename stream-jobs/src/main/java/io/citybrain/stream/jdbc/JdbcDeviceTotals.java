package io.citybrain.stream.jdbc;

import io.citybrain.storage.Jdbc;
import io.citybrain.stream.situation.DeviceTotalsLoader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Devices per district as PostgreSQL's {@code device} table counts them. */
public final class JdbcDeviceTotals implements DeviceTotalsLoader {
  private static final long serialVersionUID = 1L;
  private final String jdbcUrl;

  public JdbcDeviceTotals(String jdbcUrl) {
    this.jdbcUrl = jdbcUrl;
  }

  @Override
  public Map<String, Integer> load() throws SQLException {
    Map<String, Integer> totals = new HashMap<>();
    try (Connection c = Jdbc.connect(jdbcUrl);
        PreparedStatement ps =
            c.prepareStatement("SELECT district, count(*) FROM device GROUP BY district");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        totals.put(rs.getString(1), rs.getInt(2));
      }
    }
    return totals;
  }
}
