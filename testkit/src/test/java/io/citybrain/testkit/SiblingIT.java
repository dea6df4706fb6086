package io.citybrain.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A second class: sees none of CityServicesExtensionIT's tables, and finds that class's database
 * dropped.
 */
@ExtendWith(CityServicesExtension.class)
class SiblingIT {
  @Test
  @DisplayName("a second test class gets a different, empty database")
  void ownEmptyDatabase(TestServices services) throws Exception {
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'marker'")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
    // Runs after CityServicesExtensionIT (class order is alphabetical): its database must be gone
    // by now.
    assertThat(DroppedDatabases.checkEarlierAndRecord(services)).isEqualTo(1);
  }
}
