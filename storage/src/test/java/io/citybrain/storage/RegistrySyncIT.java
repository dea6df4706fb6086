package io.citybrain.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Fleet;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The registry is filled from the seeds and the expanded fleet, and a repeated sync changes
 * nothing.
 */
@ExtendWith(CityServicesExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistrySyncIT {
  private static final CitySeeds SEEDS = SeedLoader.load();
  private static DataSource db;

  @BeforeAll
  static void schema(TestServices services) {
    db = services.dataSource();
    Schema.migrate(db);
  }

  @Test
  @Order(1)
  @DisplayName(
      "the default fleet loads: 11 districts, at least 20,000 devices, 7,000 cameras in Dapeng")
  void firstSync() throws SQLException {
    Fleet fleet = FleetExpander.expand(SEEDS);
    RegistryReport report = RegistrySync.sync(db, SEEDS, fleet);
    assertThat(report.districts()).isEqualTo(11);
    assertThat(report.devices()).isEqualTo(fleet.size()).isGreaterThanOrEqualTo(20_000);
    assertThat(report.cameras("DP")).isEqualTo(7_000);
    assertThat(report.devicesInserted()).isEqualTo(fleet.size());
    assertThat(count("SELECT count(*) FROM response_plan")).isEqualTo(SEEDS.responsePlans().size());
    assertThat(count("SELECT count(*) FROM camera_event_type WHERE creates_case")).isEqualTo(4);
    assertThat(count("SELECT count(*) FROM case_category"))
        .isEqualTo(SEEDS.gridCaseCategories().stream().mapToInt(c -> c.subtypes().size()).sum());
    assertThat(
            count(
                "SELECT count(*) FROM device WHERE device_id = 'DP-CAM-07000' AND gateway_id = 'DP-GW-014'"))
        .isEqualTo(1);
  }

  @Test
  @Order(2)
  @DisplayName("syncing the same fleet again inserts, updates and deletes nothing")
  void secondSyncIsANoOp() {
    RegistryReport again = RegistrySync.sync(db, SEEDS, FleetExpander.expand(SEEDS));
    assertThat(again.devicesInserted()).isZero();
    assertThat(again.devicesUpdated()).isZero();
    assertThat(again.devicesDeleted()).isZero();
    assertThat(again.cameras("DP")).isEqualTo(7_000);
  }

  @Test
  @Order(3)
  @DisplayName("a smaller fleet removes the devices it no longer has; another seed moves devices")
  void fleetChanges() throws SQLException {
    Fleet half = FleetExpander.expand(SEEDS, 0.5, FleetExpander.DEFAULT_SEED);
    RegistryReport shrunk = RegistrySync.sync(db, SEEDS, half);
    assertThat(shrunk.devices()).isEqualTo(half.size());
    assertThat(shrunk.devicesDeleted()).isPositive();
    assertThat(shrunk.cameras("DP")).isEqualTo(3_500);

    Fleet moved = FleetExpander.expand(SEEDS, 0.5, 99);
    RegistryReport reseeded = RegistrySync.sync(db, SEEDS, moved);
    assertThat(reseeded.devicesUpdated()).isEqualTo(moved.size());
    assertThat(reseeded.devicesInserted()).isZero();
    assertThat(
            count("SELECT count(*) FROM registry_meta WHERE key = 'fleet_seed' AND value = '99'"))
        .isEqualTo(1);
  }

  private static int count(String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
