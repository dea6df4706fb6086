package io.citybrain.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Remembers each test class's database in this JVM, and checks that those of finished classes were
 * dropped.
 */
final class DroppedDatabases {
  private static final String PROPERTY = "citybrain.test.finished-databases";

  private DroppedDatabases() {}

  /** Asserts every database recorded by an earlier class is gone, then records this class's. */
  static int checkEarlierAndRecord(TestServices services) throws SQLException {
    String earlier = System.getProperty(PROPERTY, "");
    int checked = 0;
    String adminUrl = services.jdbcUrl().replace("/" + services.databaseName(), "/postgres");
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement st = c.createStatement()) {
      for (String name : earlier.split(",")) {
        if (name.isBlank() || name.equals(services.databaseName())) {
          continue;
        }
        try (ResultSet rs =
            st.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
          rs.next();
          assertThat(rs.getInt(1)).as("database %s of a finished class was dropped", name).isZero();
          checked++;
        }
      }
    }
    if (!earlier.contains(services.databaseName())) {
      System.setProperty(PROPERTY, earlier + "," + services.databaseName());
    }
    return checked;
  }
}
