package io.citybrain.ingest.sink;

import io.citybrain.ingest.validate.TelemetryItem;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * Writes validated telemetry to {@code reading}, {@code camera_event} and {@code heartbeat} in one
 * transaction, and says per district how many rows were new and how many were already there.
 *
 * <p>Why COPY into a staging table rather than Flink's JDBC sink: COPY is PostgreSQL's fastest bulk
 * path (one round trip per batch, no per-row statement), and {@code INSERT ... SELECT ... ON
 * CONFLICT DO NOTHING RETURNING} from the staging table makes a replay after a failure a no-op
 * while counting exactly what was stored: the accounting needs stored and duplicate counts, not
 * just "no error".
 */
public final class RawTelemetryWriter {
  private static final Map<String, Table> TABLES =
      Map.of(
          "reading",
              new Table("reading", "device_id, seq, event_time, district, metric, value, late"),
          "camera_event",
              new Table(
                  "camera_event",
                  "device_id, seq, event_time, district, event_type, confidence, object_count, lat, lon, late"),
          "heartbeat",
              new Table(
                  "heartbeat",
                  "device_id, seq, event_time, district, battery_pct, firmware, late"));
  private static final String[] TABLE_OF_KIND = {"reading", "camera_event", "heartbeat"};

  /**
   * Writes the batch. On an auto-commit connection it is its own transaction (committed, or rolled
   * back and thrown); inside the caller's transaction it leaves commit and rollback to the caller,
   * so rows and accounting commit together.
   */
  public WriteCounts write(Connection connection, List<TelemetryItem> batch) throws SQLException {
    Map<String, StringBuilder> csv = new HashMap<>();
    // Rows staged per table and district, counted here rather than asked of the database
    // afterwards.
    Map<String, Map<String, long[]>> staged = new HashMap<>();
    for (TelemetryItem item : batch) {
      String table = TABLE_OF_KIND[item.kind];
      staged.computeIfAbsent(table, t -> new HashMap<>())
          .computeIfAbsent(item.district, d -> new long[2])[0]++;
      CsvRow row =
          new CsvRow(csv.computeIfAbsent(table, k -> new StringBuilder()))
              .text(item.deviceId)
              .number(item.seq)
              .time(item.eventTimeMs)
              .text(item.district);
      switch (item.kind) {
        case TelemetryItem.READING -> row.text(item.metric).number(item.value);
        case TelemetryItem.CAMERA ->
            row.text(item.eventType)
                .number(item.value)
                .number(item.objectCount)
                .nullableNumber(item.hasPosition() ? item.lat : null)
                .nullableNumber(item.hasPosition() ? item.lon : null);
        default -> row.number((double) item.batteryPct).text(item.firmware);
      }
      row.bool(item.late).end();
    }
    WriteCounts counts = new WriteCounts();
    Transactions.run(
        connection,
        () -> {
          for (Map.Entry<String, StringBuilder> entry : csv.entrySet()) {
            TABLES
                .get(entry.getKey())
                .write(connection, entry.getValue().toString(), staged.get(entry.getKey()), counts);
          }
        });
    return counts;
  }

  /** One raw table and its staging twin. */
  private record Table(String name, String columns) {
    void write(Connection connection, String csv, Map<String, long[]> staged, WriteCounts counts)
        throws SQLException, IOException {
      String stage = name + "_stage";
      try (Statement st = connection.createStatement()) {
        // Per session, emptied at every commit: concurrent writers never see each other's staged
        // rows.
        st.execute(
            "CREATE TEMP TABLE IF NOT EXISTS "
                + stage
                + " (LIKE "
                + name
                + " INCLUDING DEFAULTS) "
                + "ON COMMIT DELETE ROWS");
      }
      connection
          .unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn(
              "COPY " + stage + " (" + columns + ") FROM STDIN WITH (FORMAT csv)",
              new StringReader(csv));
      try (Statement st = connection.createStatement();
          // A row already there keeps its values but takes the latest lateness decision: after a
          // failover the job
          // decides again, and its windows follow the new decision, so the row must too (aggregates
          // = recomputation).
          // Updated rows count as duplicates: xmax = 0 only for rows this statement inserted.
          ResultSet rs =
              st.executeQuery(
                  "WITH stored AS (INSERT INTO "
                      + name
                      + " AS t ("
                      + columns
                      + ") "
                      + "SELECT DISTINCT ON (device_id, seq, event_time) "
                      + columns
                      + " FROM "
                      + stage
                      + " ON CONFLICT (device_id, seq, event_time) DO UPDATE SET late = EXCLUDED.late"
                      + " WHERE t.late IS DISTINCT FROM EXCLUDED.late RETURNING district, late, (t.xmax = 0) AS inserted) "
                      + "SELECT district, count(*) FILTER (WHERE inserted AND NOT late), "
                      + "count(*) FILTER (WHERE inserted AND late) FROM stored GROUP BY district")) {
        while (rs.next()) {
          long[] n = staged.get(rs.getString(1));
          counts.add(
              rs.getString(1), rs.getLong(2), rs.getLong(3), n[0] - rs.getLong(2) - rs.getLong(3));
          n[1] = -1;
        }
      }
      // Districts with no row stored: all duplicates.
      staged.forEach(
          (district, n) -> {
            if (n[1] != -1) {
              counts.add(district, 0, 0, n[0]);
            }
          });
    }
  }
}
