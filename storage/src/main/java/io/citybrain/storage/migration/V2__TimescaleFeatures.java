package io.citybrain.storage.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * History views and, where the timescaledb extension is available, TimescaleDB storage:
 * hypertables, compression, retention and continuous aggregates. The same view names exist on both
 * paths, so queries never depend on which.
 *
 * <p>Runs outside a transaction because continuous aggregates cannot be created inside one.
 */
public class V2__TimescaleFeatures extends BaseJavaMigration {
  /** Raw telemetry is kept this long (the 1 min metrics and the aggregates keep the history). */
  static final String RAW_RETENTION = "90 days";

  /**
   * Metric windows are kept longer than both continuous aggregates' refresh windows (3 and 35
   * days): a retention policy that drops chunks still inside a refresh window would delete
   * aggregate buckets (DESIGN.md hazards).
   */
  static final String METRIC_RETENTION = "400 days";

  // Real-time aggregates (materialized_only = false) include rows newer than the last refresh, as
  // the plain views do;
  // TimescaleDB 2.13+ defaults to materialized-only, which would hide the latest hour from the API.

  /**
   * The hourly and daily views, plain SQL: every column of the continuous aggregates, under the
   * same names.
   */
  static final List<String> PLAIN_VIEWS =
      List.of(
          """
      CREATE OR REPLACE VIEW district_metric_hourly AS
      SELECT district, metric, date_bin(INTERVAL '1 hour', window_start, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
             sum(count)::bigint AS count, min(min) AS min, max(max) AS max, sum(sum) AS sum,
             sum(sum) / sum(count) AS mean
      FROM district_metric WHERE resolution_s = 60
      GROUP BY 1, 2, 3""",
          """
      CREATE OR REPLACE VIEW district_metric_daily AS
      SELECT district, metric, date_bin(INTERVAL '1 day', window_start, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
             sum(count)::bigint AS count, min(min) AS min, max(max) AS max, sum(sum) AS sum,
             sum(sum) / sum(count) AS mean
      FROM district_metric WHERE resolution_s = 60
      GROUP BY 1, 2, 3""");

  static final List<String> TIMESCALE =
      List.of(
          "CREATE EXTENSION IF NOT EXISTS timescaledb",
          hypertable("reading", "event_time", "1 day"),
          hypertable("camera_event", "event_time", "1 day"),
          hypertable("heartbeat", "event_time", "1 day"),
          hypertable("dead_letter", "received_at", "7 days"),
          hypertable("district_metric", "window_start", "7 days"),
          hypertable("district_event_count", "window_start", "7 days"),
          compress("reading", "device_id", "event_time DESC, seq DESC"),
          compress("camera_event", "device_id", "event_time DESC, seq DESC"),
          compress("heartbeat", "device_id", "event_time DESC, seq DESC"),
          "SELECT add_compression_policy('reading', INTERVAL '7 days', if_not_exists => TRUE)",
          "SELECT add_compression_policy('camera_event', INTERVAL '7 days', if_not_exists => TRUE)",
          "SELECT add_compression_policy('heartbeat', INTERVAL '2 days', if_not_exists => TRUE)",
          "SELECT add_retention_policy('reading', INTERVAL '"
              + RAW_RETENTION
              + "', if_not_exists => TRUE)",
          "SELECT add_retention_policy('camera_event', INTERVAL '"
              + RAW_RETENTION
              + "', if_not_exists => TRUE)",
          "SELECT add_retention_policy('heartbeat', INTERVAL '30 days', if_not_exists => TRUE)",
          "SELECT add_retention_policy('district_metric', INTERVAL '"
              + METRIC_RETENTION
              + "', if_not_exists => TRUE)",
          "SELECT add_retention_policy('district_event_count', INTERVAL '"
              + METRIC_RETENTION
              + "', if_not_exists => TRUE)",
          """
      CREATE MATERIALIZED VIEW IF NOT EXISTS district_metric_hourly
      WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT district, metric, time_bucket(INTERVAL '1 hour', window_start) AS bucket,
             sum(count)::bigint AS count, min(min) AS min, max(max) AS max, sum(sum) AS sum,
             sum(sum) / sum(count) AS mean
      FROM district_metric WHERE resolution_s = 60
      GROUP BY district, metric, bucket
      WITH NO DATA""",
          "SELECT add_continuous_aggregate_policy('district_metric_hourly', start_offset => INTERVAL '3 days', "
              + "end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '15 minutes', if_not_exists => TRUE)",
          // Hierarchical: the daily aggregate reads the hourly one (TimescaleDB 2.9+).
          """
      CREATE MATERIALIZED VIEW IF NOT EXISTS district_metric_daily
      WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT district, metric, time_bucket(INTERVAL '1 day', bucket) AS bucket,
             sum(count)::bigint AS count, min(min) AS min, max(max) AS max, sum(sum) AS sum,
             sum(sum) / sum(count) AS mean
      FROM district_metric_hourly
      GROUP BY district, metric, time_bucket(INTERVAL '1 day', bucket)
      WITH NO DATA""",
          "SELECT add_continuous_aggregate_policy('district_metric_daily', start_offset => INTERVAL '35 days', "
              + "end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE)");

  @Override
  public boolean canExecuteInTransaction() {
    return false;
  }

  @Override
  public void migrate(Context context) throws SQLException {
    Connection connection = context.getConnection();
    execute(connection, timescaleAvailable(connection) ? TIMESCALE : PLAIN_VIEWS);
  }

  /**
   * True when this database has TimescaleDB, or can load it: installed as a package and preloaded.
   * A package that is installed but not in shared_preload_libraries makes CREATE EXTENSION fail, so
   * it counts as absent.
   */
  public static boolean timescaleAvailable(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                """
            SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
                OR (EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
                    AND current_setting('shared_preload_libraries') ~ 'timescaledb')""")) {
      return rows.next() && rows.getBoolean(1);
    }
  }

  /** Whether the timescaledb extension is installed in this database (what V2 chose). */
  public static boolean timescaleInstalled(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")) {
      return rows.next();
    }
  }

  /**
   * Java migrations have no checksum of their own: this one is its SQL, so validate() notices
   * edits.
   */
  @Override
  public Integer getChecksum() {
    return String.join(";", PLAIN_VIEWS).concat("|").concat(String.join(";", TIMESCALE)).hashCode();
  }

  /** Runs the statements in order on one statement object; V11 runs its policy changes so too. */
  static void execute(Connection connection, List<String> statements) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static String hypertable(String table, String timeColumn, String chunk) {
    return "SELECT create_hypertable('"
        + table
        + "', '"
        + timeColumn
        + "', chunk_time_interval => INTERVAL '"
        + chunk
        + "', if_not_exists => TRUE, migrate_data => TRUE)";
  }

  private static String compress(String table, String segmentBy, String orderBy) {
    return "ALTER TABLE "
        + table
        + " SET (timescaledb.compress, timescaledb.compress_segmentby = '"
        + segmentBy
        + "', timescaledb.compress_orderby = '"
        + orderBy
        + "')";
  }
}
