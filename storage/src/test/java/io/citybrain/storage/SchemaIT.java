package io.citybrain.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.SqlRows;
import io.citybrain.testkit.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The schema applies to a real PostgreSQL, applies again without error, and keeps the promises it
 * encodes.
 */
@ExtendWith(CityServicesExtension.class)
class SchemaIT {
  private static DataSource db;
  private static Schema.SchemaReport first;

  /** V1.. SQL files plus the Java migrations. */
  static final int SHIPPED_VERSIONS = shippedVersions();

  /**
   * The highest of their version numbers: versions are handed out per change, so one may land
   * before a lower one.
   */
  static final int LATEST_VERSION = latestVersion();

  private static int latestVersion() {
    try (var files = Files.list(Path.of("src/main/resources/db/migration"));
        var classes = Files.list(Path.of("src/main/java/io/citybrain/storage/migration"))) {
      return java.util.stream.Stream.concat(files, classes)
          .map(f -> f.getFileName().toString())
          .filter(n -> n.matches("V\\d+__.*\\.(sql|java)"))
          .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
          .max()
          .orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int shippedVersions() {
    try (var files = Files.list(Path.of("src/main/resources/db/migration"));
        var classes = Files.list(Path.of("src/main/java/io/citybrain/storage/migration"))) {
      return (int)
          (files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count()
              + classes
                  .filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.java"))
                  .count());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @BeforeAll
  static void migrate(TestServices services) {
    db = services.dataSource();
    first = Schema.migrate(db);
  }

  @Test
  @DisplayName(
      "a fresh database gets every version; a second migrate applies nothing and validates")
  void migratesOnceThenIsANoOp() {
    // Every migration, SQL and Java, counted from what is shipped: a new version needs no edit
    // here.
    assertThat(first.applied()).isEqualTo(SHIPPED_VERSIONS);
    assertThat(first.version()).isEqualTo(String.valueOf(LATEST_VERSION));
    Schema.SchemaReport again = Schema.migrate(db);
    assertThat(again.applied()).isZero();
    assertThat(again.version()).isEqualTo(String.valueOf(LATEST_VERSION));
    Schema.validate(db);
  }

  @Test
  @DisplayName(
      "the core DDL itself is re-runnable: executing V1 again on the migrated database is harmless")
  void coreScriptAppliesTwice() throws Exception {
    String script;
    try (InputStream in = Schema.class.getResourceAsStream("/db/migration/V1__core_schema.sql")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    execute(script);
    execute(script);
    assertThat(tables()).contains("reading", "audit_log");
  }

  @Test
  @DisplayName("every table the design names exists")
  void tablesExist() throws SQLException {
    assertThat(tables())
        .contains(
            "district",
            "device",
            "device_status",
            "metric_kind",
            "department",
            "case_category",
            "camera_event_type",
            "response_plan",
            "reading",
            "camera_event",
            "heartbeat",
            "dead_letter",
            "district_metric",
            "district_event_count",
            "district_snapshot",
            "alert",
            "incident",
            "plan_run",
            "command",
            "command_event",
            "command_attempt",
            "command_ack_inbox",
            "department_task",
            "grid_case",
            "grid_case_history",
            "pipeline_accounting",
            "audit_log");
  }

  @Test
  @DisplayName("keys of tables that become hypertables include their time column")
  void hypertableKeysIncludeTime() throws SQLException {
    for (String[] table :
        new String[][] {
          {"reading", "event_time"},
          {"camera_event", "event_time"},
          {"heartbeat", "event_time"},
          {"dead_letter", "received_at"},
          {"district_metric", "window_start"},
          {"district_event_count", "window_start"}
        }) {
      // Every unique index on its own must contain the time column: a hypertable refuses any that
      // does not.
      List<String> uniqueIndexes =
          strings(
              """
          SELECT i.indexrelid::regclass::text || ':' || bool_or(a.attname = '%s')
          FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
          WHERE i.indrelid = '%s'::regclass AND i.indisunique GROUP BY i.indexrelid"""
                  .formatted(table[1], table[0]));
      assertThat(uniqueIndexes)
          .as(table[0])
          .isNotEmpty()
          .allMatch(index -> index.endsWith(":true"));
    }
  }

  @Test
  @DisplayName("a reading's identity is unique: the same (device, seq, time) twice is refused")
  void readingIdentity() throws SQLException {
    execute(
        "INSERT INTO reading (device_id, seq, event_time, district, metric, value) "
            + "VALUES ('FT-AQ-00001', 1, '2026-01-01T00:00:00Z', 'FT', 'pm25', 10)");
    assertThatThrownBy(
            () ->
                execute(
                    "INSERT INTO reading (device_id, seq, event_time, district, metric, value) "
                        + "VALUES ('FT-AQ-00001', 1, '2026-01-01T00:00:00Z', 'FT', 'pm25', 11)"))
        .hasMessageContaining("duplicate key");
  }

  @Test
  @DisplayName("the audit log is append-only: UPDATE, DELETE and TRUNCATE are refused")
  void auditLogAppendOnly() throws SQLException {
    execute(
        "INSERT INTO audit_log (actor, action, outcome) VALUES ('coordinator-dp', 'trigger_plan', 'denied')");
    assertThatThrownBy(() -> execute("UPDATE audit_log SET outcome = 'allowed'"))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> execute("DELETE FROM audit_log")).hasMessageContaining("append-only");
    assertThatThrownBy(() -> execute("TRUNCATE audit_log")).hasMessageContaining("append-only");
    assertThat(strings("SELECT outcome FROM audit_log")).containsExactly("denied");
  }

  @Test
  @DisplayName("hourly and daily history views weight means by count across 1 min windows")
  void historyViews() throws SQLException {
    execute(
        "INSERT INTO district (code, name_zh, name_en, lat, lon, area_km2, population) "
            + "VALUES ('NS', '南山区', 'Nanshan', 22.53, 113.93, 187.5, 1795000) ON CONFLICT DO NOTHING");
    execute(
        """
        INSERT INTO district_metric (district, metric, resolution_s, window_start, count, min, max, sum, mean) VALUES
          ('NS', 'noise_db', 60, '2026-03-01T10:00:00Z', 1, 50, 50, 50, 50),
          ('NS', 'noise_db', 60, '2026-03-01T10:59:00Z', 3, 40, 80, 180, 60),
          ('NS', 'noise_db', 60, '2026-03-01T11:00:00Z', 2, 30, 30, 60, 30),
          ('NS', 'noise_db', 10, '2026-03-01T10:00:00Z', 9, 1, 99, 450, 50)""");
    assertThat(
            strings(
                "SELECT count || '/' || min || '/' || max || '/' || mean FROM district_metric_hourly "
                    + "WHERE district = 'NS' ORDER BY bucket"))
        .containsExactly("4/40/80/57.5", "2/30/30/30");
    assertThat(
            strings("SELECT count || '/' || mean FROM district_metric_daily WHERE district = 'NS'"))
        .containsExactly("6/48.333333333333336");
  }

  @Test
  @DisplayName("at most one open alert per (rule, district)")
  void oneOpenAlertPerRule() throws SQLException {
    execute(
        "INSERT INTO district (code, name_zh, name_en, lat, lon, area_km2, population) "
            + "VALUES ('DP', '大鹏新区', 'Dapeng', 22.59, 114.48, 295.1, 156000) ON CONFLICT DO NOTHING");
    String insert =
        "INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold, "
            + "raised_at) VALUES ('%s', 'rainfall_heavy', 'DP', 'rainfall_mm_h', 'medium', '%s', 40, 30, now())";
    execute(insert.formatted("a1", "cleared"));
    execute(insert.formatted("a2", "raised"));
    assertThatThrownBy(() -> execute(insert.formatted("a3", "raised")))
        .hasMessageContaining("alert_one_open_per_rule");
  }

  private static void execute(String sql) throws SQLException {
    SqlRows.execute(db, sql);
  }

  private static List<String> strings(String sql) throws SQLException {
    return SqlRows.strings(db, sql);
  }

  private static List<String> tables() throws SQLException {
    return strings(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  }
}
