package io.citybrain.storage.migration;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * On TimescaleDB, widens the continuous aggregates' refresh windows to the replay horizon and gives
 * heartbeats the raw telemetry's compression and retention; plain PostgreSQL has nothing to change
 * (its history views compute on read and it has no policies).
 *
 * <p>Why the refresh windows: a metric window written behind an aggregate's materialization (a
 * replay, a backfill after an outage, {@code sim --start-time} in the past) is only seen by a
 * refresh whose window covers it. V2's 3 and 35 days left every row older than 3 days out of the
 * hourly and daily history for good. The windows now reach {@link #REPLAY_HORIZON}, the raw
 * retention: whatever can still be replayed from stored raw rows reaches the history at the next
 * policy run (hourly 15 min, daily 1 h). A policy run re-materializes only the ranges invalidated
 * since the last run, so a wider window costs nothing while no old row arrives; a backfill of D
 * days costs one re-aggregation of those D days of 1 min rows. Older backfills need an explicit
 * {@code CALL refresh_continuous_aggregate(...)} (README, "Storage").
 *
 * <p>Runs outside a transaction, as V2 does: TimescaleDB's policy functions are called with their
 * own catalog locks, and a failure leaves the previous policy in place (remove then add, each
 * idempotent).
 */
public class V11__TimescaleHistoryHorizons extends BaseJavaMigration {
  /** Raw telemetry that can be replayed: {@link V2__TimescaleFeatures#RAW_RETENTION}. */
  static final String REPLAY_HORIZON = V2__TimescaleFeatures.RAW_RETENTION;

  /**
   * The daily refresh reaches two days further than the hourly one: a day bucket is refreshed only
   * when it lies wholly inside the window, and the day holding the horizon's edge must be.
   */
  static final String DAILY_REFRESH_START = "92 days";

  /**
   * Heartbeats are raw telemetry like readings and camera events (README): compressed after 7 days,
   * kept 90. One horizon for all three keeps "a replay of anything still stored counts as a
   * duplicate" true for every raw table; V2 dropped heartbeats after 30 days and compressed them
   * after 2, so a replay of 30 to 90 days stored them again and a 3-day backfill hit compressed
   * chunks.
   */
  static final String HEARTBEAT_COMPRESS_AFTER = "7 days";

  static final List<String> TIMESCALE =
      List.of(
          "SELECT remove_continuous_aggregate_policy('district_metric_hourly', if_exists => TRUE)",
          "SELECT add_continuous_aggregate_policy('district_metric_hourly', start_offset => INTERVAL '"
              + REPLAY_HORIZON
              + "', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '15 minutes')",
          "SELECT remove_continuous_aggregate_policy('district_metric_daily', if_exists => TRUE)",
          "SELECT add_continuous_aggregate_policy('district_metric_daily', start_offset => INTERVAL '"
              + DAILY_REFRESH_START
              + "', end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour')",
          "SELECT remove_compression_policy('heartbeat', if_exists => TRUE)",
          "SELECT add_compression_policy('heartbeat', INTERVAL '" + HEARTBEAT_COMPRESS_AFTER + "')",
          "SELECT remove_retention_policy('heartbeat', if_exists => TRUE)",
          "SELECT add_retention_policy('heartbeat', INTERVAL '" + REPLAY_HORIZON + "')");

  @Override
  public boolean canExecuteInTransaction() {
    return false;
  }

  @Override
  public void migrate(Context context) throws SQLException {
    Connection connection = context.getConnection();
    // What V2 chose, not what the server offers now: a plain-path database stays plain.
    if (!V2__TimescaleFeatures.timescaleInstalled(connection)) {
      return;
    }
    V2__TimescaleFeatures.execute(connection, TIMESCALE);
  }

  /** Its SQL is its checksum, so validate() notices edits. */
  @Override
  public Integer getChecksum() {
    return String.join(";", TIMESCALE).hashCode();
  }
}
