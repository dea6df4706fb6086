package io.citybrain.app.kill;

import io.citybrain.testkit.SqlRows;
import io.citybrain.testkit.WindowRecomputation;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * The stream path's exactness, checked on the data a run left in the database: every (device, seq)
 * the simulator published (each device numbers its messages 1, 2, 3, ...) stored exactly once,
 * every closed 1 min window equal to its recomputation from the raw rows, and the accounting
 * identity per district.
 */
record Exactness(
    long published,
    long storedRows,
    long distinctIdentities,
    long lost,
    long duplicated,
    long windowsCompared,
    List<String> windowMismatches,
    List<String> accountingMismatches,
    long late,
    long received,
    long duplicatesCounted) {

  /** Raw telemetry of every class: a device's seq runs over all of them. */
  private static final String RAW =
      "SELECT device_id, seq FROM reading UNION ALL SELECT device_id, seq FROM camera_event"
          + " UNION ALL SELECT device_id, seq FROM heartbeat";

  /**
   * Windows closed for certain: ended more than the out-of-orderness plus the allowed lateness (and
   * a margin) before the newest reading; the newest windows may still be open when the input ends.
   */
  static final String CLOSED_BEFORE =
      "(SELECT max(event_time) FROM reading) - INTERVAL '" + KillJob.CLOSED_AFTER_S + " seconds'";

  static final String RECOMPUTED_WINDOWS =
      "SELECT count(*) FROM (SELECT DISTINCT district, metric, date_bin('60 seconds', event_time,"
          + " TIMESTAMPTZ 'epoch') AS ws FROM reading WHERE NOT late) w WHERE ws < "
          + CLOSED_BEFORE;

  /** Stored 1 min windows against the batch recomputation: counts, min, max exact, means 1e-9. */
  static final String MISMATCHES = WindowRecomputation.mismatches(CLOSED_BEFORE);

  /** received = stored + duplicate + late + rejected, per district, as pipeline_accounting says. */
  static final String ACCOUNTING =
      """
      SELECT district || ': received ' || sum(value) FILTER (WHERE counter = 'received')
             || ', stored + duplicate + late + rejected ' || sum(value) FILTER (WHERE counter <> 'received')
      FROM pipeline_accounting GROUP BY district
      HAVING sum(value) FILTER (WHERE counter = 'received')
             IS DISTINCT FROM coalesce(sum(value) FILTER (WHERE counter <> 'received'), 0)
      ORDER BY 1""";

  /**
   * Checks the database after a run whose simulator had {@code published} messages acknowledged by
   * the broker. Lost: numbers missing from a device's 1..highest, plus whatever the broker
   * acknowledged and no row holds; duplicated: rows beyond the first of an identity.
   */
  static Exactness check(DataSource db, long published) throws SQLException {
    long rows = query(db, "SELECT count(*) FROM (" + RAW + ") t");
    long distinct =
        query(db, "SELECT count(*) FROM (SELECT DISTINCT device_id, seq FROM (" + RAW + ") t) d");
    long gaps =
        query(
            db,
            "SELECT coalesce(sum(hi - n), 0) FROM (SELECT device_id, max(seq) AS hi,"
                + " count(DISTINCT seq) AS n FROM ("
                + RAW
                + ") t GROUP BY device_id) g");
    long lost = Math.max(gaps, published - distinct);
    List<String> accounting = strings(db, ACCOUNTING);
    long storedCounted = counter(db, "stored");
    long lateCounted = counter(db, "late");
    if (storedCounted + lateCounted != distinct) {
      accounting.add(
          "stored + late counted " + (storedCounted + lateCounted) + ", rows " + distinct);
    }
    return new Exactness(
        published,
        rows,
        distinct,
        lost,
        rows - distinct,
        query(db, RECOMPUTED_WINDOWS),
        strings(db, MISMATCHES),
        accounting,
        lateCounted,
        counter(db, "received"),
        counter(db, "duplicate"));
  }

  /** One line for the test's output and the soak's figures. */
  String summary() {
    return String.format(
        "published %,d, rows %,d (distinct identities %,d), lost %,d, duplicated %,d;"
            + " 1 min windows compared %,d, mismatches %,d; accounting mismatches %d;"
            + " received %,d (duplicates counted %,d, late %,d)",
        published,
        storedRows,
        distinctIdentities,
        lost,
        duplicated,
        windowsCompared,
        windowMismatches.size(),
        accountingMismatches.size(),
        received,
        duplicatesCounted,
        late);
  }

  private static long counter(DataSource db, String counter) throws SQLException {
    return query(
        db,
        "SELECT coalesce(sum(value), 0) FROM pipeline_accounting WHERE counter = '"
            + counter
            + "'");
  }

  static long query(DataSource db, String sql) throws SQLException {
    return SqlRows.number(db, sql);
  }

  static List<String> strings(DataSource db, String sql) throws SQLException {
    return SqlRows.strings(db, sql);
  }
}
