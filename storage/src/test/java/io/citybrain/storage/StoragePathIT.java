package io.citybrain.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.citybrain.storage.migration.V2__TimescaleFeatures;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.SqlRows;
import io.citybrain.testkit.TestServices;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which storage path the schema took (plain PostgreSQL or TimescaleDB) is asserted, never assumed,
 * and each path is checked for what it promises: on TimescaleDB the hypertables, the compression
 * and retention policies with their intervals, the continuous aggregates and their refresh windows,
 * and history equal to the plain views after a backfill older than V2's 3-day window; on plain
 * PostgreSQL the history views, with the same backfill.
 *
 * <p>{@code CITYBRAIN_TEST_STORAGE_PATH=plain|timescaledb} demands a path (a run meant for a
 * TimescaleDB server fails on a plain one); unset, the path must be the one the server offers.
 */
@ExtendWith(CityServicesExtension.class)
class StoragePathIT {
  static final String PATH_ENV = "CITYBRAIN_TEST_STORAGE_PATH";

  private static DataSource db;
  private static boolean timescale;

  @BeforeAll
  static void migrate(TestServices services) {
    db = services.dataSource();
    timescale = Schema.migrate(db).timescale();
  }

  @Test
  @DisplayName("the schema took the path demanded, or else the one the server offers")
  void pathIsTheExpectedOne() throws SQLException {
    String demanded = System.getenv(PATH_ENV);
    boolean expected;
    if (demanded == null || demanded.isBlank()) {
      try (Connection c = db.getConnection()) {
        expected = V2__TimescaleFeatures.timescaleAvailable(c);
      }
    } else {
      assertThat(demanded.toLowerCase(Locale.ROOT)).as(PATH_ENV).isIn("plain", "timescaledb");
      expected = demanded.equalsIgnoreCase("timescaledb");
    }
    assertThat(timescale).as("TimescaleDB path (%s=%s)", PATH_ENV, demanded).isEqualTo(expected);
    assertThat(Schema.timescale(db)).isEqualTo(timescale);
    // Print the path: a CI log says which one its storage tests covered.
    System.out.println(
        "StoragePathIT: storage path " + (timescale ? "TimescaleDB" : "plain PostgreSQL"));
  }

  @Test
  @DisplayName("the history views are plain views, or continuous aggregates with their policies")
  void historyObjectsOfThePath() throws SQLException {
    String relkinds =
        String.join(
            ",",
            strings(
                "SELECT relname || ':' || relkind::text FROM pg_class WHERE relname IN "
                    + "('district_metric_hourly', 'district_metric_daily') ORDER BY relname"));
    // Both paths name their history views alike; a continuous aggregate is a view too.
    assertThat(relkinds).isEqualTo("district_metric_daily:v,district_metric_hourly:v");
    if (!timescale) {
      assertThat(strings("SELECT extname FROM pg_extension")).doesNotContain("timescaledb");
      assertThat(
              strings("SELECT definition FROM pg_views WHERE viewname = 'district_metric_hourly'"))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .contains("date_bin");
      return;
    }
    assertThat(
            strings(
                "SELECT hypertable_name || ':' || compression_enabled::text "
                    + "FROM timescaledb_information.hypertables WHERE hypertable_schema = 'public' "
                    + "ORDER BY hypertable_name"))
        .containsExactly(
            "camera_event:true",
            "dead_letter:false",
            "district_event_count:false",
            "district_metric:false",
            "heartbeat:true",
            "reading:true");
    // Raw telemetry: compressed after 7 days, dropped after 90 (heartbeats included, V11);
    // metric windows kept 400 days, longer than either refresh window.
    assertThat(policies("policy_compression", "compress_after"))
        .containsExactly("camera_event=7 days", "heartbeat=7 days", "reading=7 days");
    assertThat(policies("policy_retention", "drop_after"))
        .containsExactly(
            "camera_event=90 days",
            "district_event_count=400 days",
            "district_metric=400 days",
            "heartbeat=90 days",
            "reading=90 days");
    assertThat(
            strings(
                "SELECT view_name || ':' || materialized_only::text "
                    + "FROM timescaledb_information.continuous_aggregates ORDER BY view_name"))
        .containsExactly("district_metric_daily:false", "district_metric_hourly:false");
    // The refresh windows reach the replay horizon (V11), not V2's 3 and 35 days.
    assertThat(
            strings(
                """
            SELECT c.view_name || ':' || (j.config->>'start_offset')::interval::text || '..'
                   || (j.config->>'end_offset')::interval::text || ' every ' || j.schedule_interval::text
            FROM timescaledb_information.jobs j
            JOIN timescaledb_information.continuous_aggregates c
              ON c.materialization_hypertable_schema = j.hypertable_schema
             AND c.materialization_hypertable_name = j.hypertable_name
            WHERE j.proc_name = 'policy_refresh_continuous_aggregate' ORDER BY c.view_name"""))
        .containsExactly(
            "district_metric_daily:92 days..1 day every 01:00:00",
            "district_metric_hourly:90 days..01:00:00 every 00:15:00");
  }

  @Test
  @DisplayName(
      "a backfill 10 and 60 days old reaches the hourly and daily history, equal to a recomputation")
  void backfillReachesTheHistory() throws SQLException {
    execute(
        "INSERT INTO district (code, name_zh, name_en, lat, lon, area_km2, population) "
            + "VALUES ('LG', '龙岗区', 'Longgang', 22.72, 114.25, 388.2, 3979000) ON CONFLICT DO NOTHING");
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
    List<double[]> windows = new ArrayList<>();
    // The live city first: on TimescaleDB the policy materializes it, which moves the aggregates'
    // watermark past everything the backfill then writes (so only a refresh can bring it in).
    insertWindows(hour.minus(3, ChronoUnit.HOURS), 5, 10.0, windows);
    refreshByPolicy();
    Instant tenDays = hour.minus(10, ChronoUnit.DAYS).plus(7, ChronoUnit.MINUTES);
    Instant sixtyDays = hour.minus(60, ChronoUnit.DAYS).plus(23, ChronoUnit.MINUTES);
    insertWindows(tenDays, 30, 40.0, windows);
    insertWindows(sixtyDays, 30, 55.0, windows);
    refreshByPolicy();

    String plainRecomputation =
        """
        SELECT district, metric, date_bin(INTERVAL '%s', window_start, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
               sum(count)::bigint AS count, min(min) AS min, max(max) AS max, sum(sum) AS sum,
               sum(sum) / sum(count) AS mean
        FROM district_metric WHERE resolution_s = 60 AND district = 'LG'
        GROUP BY 1, 2, 3""";
    for (String[] view :
        new String[][] {{"district_metric_hourly", "1 hour"}, {"district_metric_daily", "1 day"}}) {
      ChronoUnit unit = view[1].equals("1 hour") ? ChronoUnit.HOURS : ChronoUnit.DAYS;
      // What was written, bucketed here, independently of either path's SQL.
      Map<String, double[]> written = new TreeMap<>();
      for (double[] w : windows) {
        String key =
            "LG/noise_db/" + Instant.ofEpochMilli((long) w[0]).truncatedTo(unit).toString();
        double[] b = written.computeIfAbsent(key, k -> new double[] {0, Double.MAX_VALUE, 0, 0, 0});
        b[0] += w[1];
        b[1] = Math.min(b[1], w[2]);
        b[2] = Math.max(b[2], w[3]);
        b[3] += w[4];
        b[4] = b[3] / b[0];
      }
      // 3 buckets: the live one and the two backfilled ones (each inside one hour and one day).
      assertThat(written).as(view[0]).hasSize(3);
      Map<String, double[]> history =
          rows(
              "SELECT district, metric, bucket, count, min, max, sum, mean FROM "
                  + view[0]
                  + " WHERE district = 'LG'");
      assertEqual(view[0], history, written);
      // The plain view's query over the 1 min rows: what the continuous aggregate must equal.
      assertEqual(
          view[0] + " (plain recomputation)", rows(plainRecomputation.formatted(view[1])), written);
    }
    // The 60-day-old hour holds its 30 windows of 3 readings each.
    assertThat(
            strings(
                "SELECT count FROM district_metric_hourly WHERE district = 'LG' AND bucket = '"
                    + sixtyDays.truncatedTo(ChronoUnit.HOURS)
                    + "'"))
        .containsExactly("90");
  }

  /**
   * Count, min and max exactly; sums and means within the rounding of another summation order (the
   * daily aggregate adds the hourly sums).
   */
  private static void assertEqual(
      String what, Map<String, double[]> actual, Map<String, double[]> expected) {
    assertThat(actual.keySet()).as(what + " buckets").isEqualTo(expected.keySet());
    for (var bucket : expected.entrySet()) {
      double[] got = actual.get(bucket.getKey());
      double[] want = bucket.getValue();
      String at = what + " " + bucket.getKey();
      assertThat(got[0]).as(at + " count").isEqualTo(want[0]);
      assertThat(got[1]).as(at + " min").isEqualTo(want[1]);
      assertThat(got[2]).as(at + " max").isEqualTo(want[2]);
      assertThat(got[3]).as(at + " sum").isCloseTo(want[3], within(1e-9 * want[3]));
      assertThat(got[4]).as(at + " mean").isCloseTo(want[4], within(1e-9 * want[4]));
    }
  }

  /**
   * Runs the hourly then the daily refresh policy now, as the scheduler would: what the policy's
   * window covers is what it brings in. Plain views compute on read: nothing to run.
   */
  private static void refreshByPolicy() throws SQLException {
    if (!timescale) {
      return;
    }
    for (String view : List.of("district_metric_hourly", "district_metric_daily")) {
      List<String> jobs =
          strings(
              """
              SELECT j.job_id FROM timescaledb_information.jobs j
              JOIN timescaledb_information.continuous_aggregates c
                ON c.materialization_hypertable_schema = j.hypertable_schema
               AND c.materialization_hypertable_name = j.hypertable_name
              WHERE j.proc_name = 'policy_refresh_continuous_aggregate' AND c.view_name = '%s'"""
                  .formatted(view));
      assertThat(jobs).as(view + " refresh policy").hasSize(1);
      execute("CALL run_job(" + jobs.get(0) + ")");
    }
  }

  /**
   * {@code minutes} consecutive 1 min windows of 3 readings each, values around {@code base}; each
   * is added to {@code written} as (start ms, count, min, max, sum).
   */
  private static void insertWindows(Instant start, int minutes, double base, List<double[]> written)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            "INSERT INTO district_metric (district, metric, resolution_s, window_start, count, min, "
                + "max, sum, mean) VALUES ");
    for (int i = 0; i < minutes; i++) {
      double min = base + i % 7;
      double max = min + 2.5 + i % 3;
      double mid = (min + max) / 2 + 0.125;
      double sum = min + max + mid;
      Instant at = start.plus(i, ChronoUnit.MINUTES);
      sql.append(i == 0 ? "" : ",")
          .append(
              "('LG', 'noise_db', 60, '%s', 3, %s, %s, %s, %s)"
                  .formatted(at, min, max, sum, sum / 3));
      written.add(new double[] {at.toEpochMilli(), 3, min, max, sum});
    }
    execute(sql.toString());
  }

  /** Rows keyed by their first three columns; the next five as numbers. */
  private static Map<String, double[]> rows(String sql) throws SQLException {
    Map<String, double[]> out = new TreeMap<>();
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String key = rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getTimestamp(3).toInstant();
        double[] values = new double[5];
        for (int i = 0; i < 5; i++) {
          values[i] = rs.getDouble(4 + i);
        }
        out.put(key, values);
      }
    }
    return out;
  }

  /** A policy's interval per public hypertable, {@code table=interval}, sorted by table. */
  private static List<String> policies(String proc, String key) throws SQLException {
    return strings(
        ("SELECT hypertable_name || '=' || (config->>'%s')::interval::text FROM timescaledb_information.jobs "
                + "WHERE proc_name = '%s' AND hypertable_schema = 'public' ORDER BY hypertable_name")
            .formatted(key, proc));
  }

  private static void execute(String sql) throws SQLException {
    SqlRows.execute(db, sql);
  }

  private static List<String> strings(String sql) throws SQLException {
    return SqlRows.strings(db, sql);
  }
}
