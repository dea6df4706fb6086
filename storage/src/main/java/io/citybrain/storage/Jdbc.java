package io.citybrain.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Opens PostgreSQL connections through the driver class itself, not {@code DriverManager}: inside a
 * Flink job jar the driver lives in the user class loader, which DriverManager's registry (filled
 * from the system class loader) does not see ("No suitable driver").
 */
public final class Jdbc {
  private static final Driver DRIVER = new Driver();

  private Jdbc() {}

  /**
   * Seconds a read may wait on the server: a hung database fails the task (and Flink retries)
   * instead of blocking it.
   */
  static final String SOCKET_TIMEOUT_S = "300";

  public static Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    if (!url.contains("socketTimeout=")) {
      properties.setProperty("socketTimeout", SOCKET_TIMEOUT_S);
    }
    Connection c = DRIVER.connect(url, properties);
    if (c == null) {
      throw new SQLException("not a PostgreSQL JDBC URL: " + url);
    }
    return c;
  }
}
