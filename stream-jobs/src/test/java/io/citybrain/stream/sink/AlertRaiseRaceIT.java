package io.citybrain.stream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two raises of the same rule and district, with different alert ids (two job attempts, or two
 * triggers of one episode), sent at the same instant on two connections: exactly one alert.
 */
@ExtendWith(CityServicesExtension.class)
class AlertRaiseRaceIT {
  private static final int TRIALS = 10_000;

  @Test
  @DisplayName(
      "10,000 trials of two simultaneous raises of one rule and district give one alert each")
  void oneAlertPerEpisode(TestServices services) throws Exception {
    DataSource ds = services.dataSource();
    Schema.migrate(ds);
    CitySeeds seeds = SeedLoader.load();
    RegistrySync.sync(ds, seeds, FleetExpander.expand(seeds));
    CyclicBarrier together = new CyclicBarrier(2);
    long[][] sentAtNs = new long[2][TRIALS];
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> a = pool.submit(() -> raise(ds, 0, together, sentAtNs[0]));
      Future<?> b = pool.submit(() -> raise(ds, 1, together, sentAtNs[1]));
      a.get(5, TimeUnit.MINUTES);
      b.get(5, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }
    int withinMs = 0;
    for (int i = 0; i < TRIALS; i++) {
      if (Math.abs(sentAtNs[0][i] - sentAtNs[1][i]) < 1_000_000) {
        withinMs++;
      }
    }
    System.out.printf(
        "alert-race: %d trials, %d with both raises sent within 1 ms%n", TRIALS, withinMs);
    assertThat(withinMs)
        .as("the two raises of a trial are sent within 1 ms")
        .isGreaterThan(TRIALS / 2);
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                """
        SELECT count(*), max(n) FROM (
          SELECT rule_id, count(*) AS n FROM alert WHERE rule_id LIKE 'race-%' AND state = 'raised'
          GROUP BY rule_id) per_rule""");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      assertThat(rs.getLong(1)).as("trials with an alert").isEqualTo(TRIALS);
      assertThat(rs.getLong(2)).as("alerts in the fullest trial").isEqualTo(1);
    }
  }

  /** One side of every trial: waits for the other side, then raises with its own alert id. */
  private static Void raise(DataSource ds, int side, CyclicBarrier together, long[] sentAtNs)
      throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(ResultTables.RAISE)) {
      c.setAutoCommit(true);
      Timestamp at = Timestamp.from(Instant.now());
      for (int i = 0; i < TRIALS; i++) {
        ps.setString(1, "race-" + i + "-" + side);
        ps.setString(2, "race-" + i);
        ps.setString(3, "DP");
        ps.setString(4, "water_level_pct");
        ps.setString(5, "high");
        ps.setDouble(6, 91.0);
        ps.setDouble(7, 85.0);
        ps.setTimestamp(8, at);
        together.await(10, TimeUnit.SECONDS);
        sentAtNs[i] = System.nanoTime();
        ps.executeUpdate();
      }
    }
    return null;
  }
}
