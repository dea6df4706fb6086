package io.citybrain.app;

import static io.citybrain.app.CommandResult.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's subcommands against a real PostgreSQL and the embedded broker, as a user runs
 * them.
 */
@ExtendWith(CityServicesExtension.class)
class LauncherIT {

  @Test
  @DisplayName(
      "demo starts the embedded broker, applies the schema, loads the city and reports the counts")
  void demoReports(TestServices services) throws Exception {
    CommandResult result =
        run("demo", "--db-url", services.jdbcUrl(), "--mqtt-port", "0", "--exit-after-start");
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("embedded HiveMQ CE")
        .containsPattern("schema      version \\d+ \\((plain PostgreSQL|TimescaleDB)\\)")
        .contains("registry    11 districts, 20,620 devices")
        .contains("Dapeng (DP): 7,000")
        .contains("stream job  running on an in-process Flink MiniCluster")
        .contains("db role     citybrain_app for the API and the stream job")
        .contains("listening on 127.0.0.1")
        .containsPattern("processed +[1-9][0-9,]* readings")
        .contains("started; stopping");
    assertThat(count(services, "SELECT count(*) FROM device")).isEqualTo(20_620);
  }

  @Test
  @DisplayName(
      "migrate is idempotent: a second run applies no migration and leaves the registry as it was")
  void migrateTwice(TestServices services) throws Exception {
    CommandResult first = run("migrate", "--db-url", services.jdbcUrl(), "--scale", "0.1");
    CommandResult second = run("migrate", "--db-url", services.jdbcUrl(), "--scale", "0.1");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.out()).contains("0 migration(s) applied now").contains("11 districts");
    // The first run let the runtime role log in (or found it could); the second leaves it alone.
    assertThat(second.out())
        .contains("db role     citybrain_app (no superuser, owns nothing, audit log insert-only;")
        .contains("password unchanged");
    assertThat(
            count(
                services,
                "SELECT count(*) FROM device WHERE district = 'DP' AND device_class = 'camera'"))
        .isEqualTo(700);
  }

  @Test
  @DisplayName(
      "bad flags exit 2 with the reason; bad seed data exits 1 naming the file and the key")
  void badInput(TestServices services, @TempDir Path seeds) throws IOException {
    CommandResult scale = run("demo", "--scale", "-1");
    assertThat(scale.code()).isEqualTo(2);
    assertThat(scale.err()).contains("--scale must be a positive number, was -1.0");

    CommandResult noDir =
        run(
            "migrate",
            "--db-url",
            services.jdbcUrl(),
            "--seeds",
            seeds.resolve("missing").toString());
    assertThat(noDir.code()).isEqualTo(1);
    assertThat(noDir.err())
        .contains(
            "citybrain migrate: seed directory " + seeds.resolve("missing") + " does not exist");

    copyShippedSeeds(seeds);
    Path districts = seeds.resolve("districts.yaml");
    Files.writeString(districts, Files.readString(districts).replace("{code: SS,", "{code: FT,"));
    CommandResult duplicate =
        run("migrate", "--db-url", services.jdbcUrl(), "--seeds", seeds.toString());
    assertThat(duplicate.code()).isEqualTo(1);
    assertThat(duplicate.err()).contains("districts.yaml: districts[10]: duplicate id 'FT'");
  }

  private static void copyShippedSeeds(Path dir) throws IOException {
    for (String file :
        List.of(
            "districts.yaml",
            "metrics.yaml",
            "departments.yaml",
            "grid-cases.yaml",
            "camera-events.yaml",
            "fleet.yaml",
            "alert-rules.yaml",
            "incident-patterns.yaml",
            "response-plans.yaml",
            "situation-index.yaml")) {
      try (InputStream in = LauncherIT.class.getResourceAsStream("/seeds/" + file)) {
        Files.write(dir.resolve(file), in.readAllBytes());
      }
    }
  }

  private static int count(TestServices services, String sql) throws Exception {
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
