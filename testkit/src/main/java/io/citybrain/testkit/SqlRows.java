package io.citybrain.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** One SQL statement on a connection of its own: run, read one number, or read a column of text. */
public final class SqlRows {

  private SqlRows() {}

  /** Runs {@code sql}, ignoring any result. */
  public static void execute(DataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** The first column of the first row, as a long (a count, a sum). */
  public static long number(DataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The first column of every row, in the query's order. */
  public static List<String> strings(DataSource db, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }
}
