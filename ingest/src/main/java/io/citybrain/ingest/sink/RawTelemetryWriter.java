package io.citybrain.ingest.sink;

import com.google.protobuf.Message;
import io.citybrain.ingest.validate.Validated;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Reading;
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
 * Writes validated telemetry to {@code reading}, {@code camera_event} and {@code heartbeat} in one transaction, and
 * says per district how many rows were new and how many were already there.
 *
 * <p>Why COPY into a staging table rather than Flink's JDBC sink: COPY is PostgreSQL's fastest bulk path (one round
 * trip per batch, no per-row statement), and {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING} from the
 * staging table makes a replay after a failure a no-op while counting exactly what was stored: the accounting needs
 * stored and duplicate counts, not just "no error".
 */
public final class RawTelemetryWriter {
  private static final Map<String, Table> TABLES = Map.of(
      "reading", new Table("reading", "device_id, seq, event_time, district, metric, value"),
      "camera_event", new Table("camera_event",
          "device_id, seq, event_time, district, event_type, confidence, object_count, lat, lon"),
      "heartbeat", new Table("heartbeat", "device_id, seq, event_time, district, battery_pct, firmware"));

  /**
   * Writes the batch. On an auto-commit connection it is its own transaction (committed, or rolled back and thrown);
   * inside the caller's transaction it leaves commit and rollback to the caller, so rows and accounting commit together.
   */
  public WriteCounts write(Connection connection, List<Validated.Accepted> batch) throws SQLException {
    Map<String, StringBuilder> csv = new HashMap<>();
    // Rows staged per table and district, counted here rather than asked of the database afterwards.
    Map<String, Map<String, long[]>> staged = new HashMap<>();
    for (Validated.Accepted accepted : batch) {
      Message m = accepted.message();
      String table = m instanceof Reading ? "reading" : m instanceof CameraEvent ? "camera_event" : "heartbeat";
      staged.computeIfAbsent(table, t -> new HashMap<>())
          .computeIfAbsent(accepted.district(), d -> new long[2])[0]++;
      if (m instanceof Reading r) {
        new CsvRow(csv.computeIfAbsent("reading", k -> new StringBuilder())).text(r.getDeviceId()).number(r.getSeq())
            .time(r.getEventTimeMs()).text(accepted.district()).text(r.getMetric()).number(r.getValue()).end();
      } else if (m instanceof CameraEvent c) {
        new CsvRow(csv.computeIfAbsent("camera_event", k -> new StringBuilder())).text(c.getCameraId())
            .number(c.getSeq()).time(c.getEventTimeMs()).text(accepted.district()).text(c.getEventType())
            .number((double) c.getConfidence()).number(c.getObjectCount())
            .nullableNumber(c.hasPosition() ? c.getPosition().getLat() : null)
            .nullableNumber(c.hasPosition() ? c.getPosition().getLon() : null).end();
      } else if (m instanceof Heartbeat h) {
        new CsvRow(csv.computeIfAbsent("heartbeat", k -> new StringBuilder())).text(h.getDeviceId())
            .number(h.getSeq()).time(h.getEventTimeMs()).text(accepted.district())
            .number((double) h.getBatteryPct()).text(h.getFirmware()).end();
      }
    }
    WriteCounts counts = new WriteCounts();
    Transactions.run(connection, () -> {
      for (Map.Entry<String, StringBuilder> entry : csv.entrySet()) {
        TABLES.get(entry.getKey()).write(connection, entry.getValue().toString(), staged.get(entry.getKey()), counts);
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
        // Per session, emptied at every commit: concurrent writers never see each other's staged rows.
        st.execute("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (LIKE " + name + " INCLUDING DEFAULTS) "
            + "ON COMMIT DELETE ROWS");
      }
      connection.unwrap(PGConnection.class).getCopyAPI()
          .copyIn("COPY " + stage + " (" + columns + ") FROM STDIN WITH (FORMAT csv)", new StringReader(csv));
      try (Statement st = connection.createStatement();
          ResultSet rs = st.executeQuery("WITH stored AS (INSERT INTO " + name + " (" + columns + ") SELECT "
              + columns + " FROM " + stage + " ON CONFLICT DO NOTHING RETURNING district) "
              + "SELECT district, count(*) FROM stored GROUP BY district")) {
        while (rs.next()) {
          staged.get(rs.getString(1))[1] = rs.getLong(2);
        }
      }
      staged.forEach((district, n) -> counts.add(district, n[1], n[0] - n[1]));
    }
  }
}
