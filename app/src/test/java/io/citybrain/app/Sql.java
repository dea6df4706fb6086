package io.citybrain.app;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import javax.sql.DataSource;

/** The few queries the whole-chain tests check the database with. */
final class Sql {
  private Sql() {}

  /** The single number a query counts. */
  static long count(DataSource ds, String sql, Object... params) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = bind(c.prepareStatement(sql), params);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The first column of every row, as numbers. */
  static Set<Long> ids(DataSource ds, String sql, Object... params) throws SQLException {
    Set<Long> out = new HashSet<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = bind(c.prepareStatement(sql), params);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  private static PreparedStatement bind(PreparedStatement ps, Object... params)
      throws SQLException {
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
    }
    return ps;
  }
}
