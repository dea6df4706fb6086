package io.citybrain.ingest.bench;

import com.google.protobuf.Message;
import io.citybrain.ingest.sink.RawTelemetryWriter;
import io.citybrain.ingest.validate.KnownDevice;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.proto.v1.Reading;
import io.citybrain.storage.Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Raw sink rows/s against {@code psql \copy} of the same rows into a table of the same shape, in
 * one run on one database. Not a test: run by bench/raw-sink.sh. Arguments: admin JDBC URL, rows,
 * batch size.
 */
public final class RawSinkBench {
  private RawSinkBench() {}

  public static void main(String[] args) throws Exception {
    String admin = args[0];
    int rows = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    String database = "cb_bench_" + System.currentTimeMillis();
    try (Connection c = DriverManager.getConnection(admin);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + database);
    }
    String url = admin.replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1");
    try {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(url);
      Schema.migrate(ds);
      List<TelemetryItem> readings = new ArrayList<>(rows);
      StringBuilder csv = new StringBuilder();
      long t0 = 1_790_000_000_000L;
      for (int i = 0; i < rows; i++) {
        String device = String.format(Locale.ROOT, "FT-AQ-%05d", i % 5000 + 1);
        Reading r =
            Reading.newBuilder()
                .setDeviceId(device)
                .setSeq(i / 5000 + 1)
                .setEventTimeMs(t0 + i)
                .setMetric("pm25")
                .setValue(i % 300 / 2.0)
                .setDistrict("FT")
                .build();
        readings.add(item("FT", r));
        csv.append(device)
            .append(',')
            .append(r.getSeq())
            .append(',')
            .append(Instant.ofEpochMilli(t0 + i))
            .append(",FT,pm25,")
            .append(r.getValue())
            .append('\n');
      }
      Path file = Files.createTempFile("raw-sink-bench", ".csv");
      Files.writeString(file, csv);

      RawTelemetryWriter writer = new RawTelemetryWriter();
      long start = System.nanoTime();
      try (Connection c = DriverManager.getConnection(url)) {
        for (int from = 0; from < rows; from += batch) {
          writer.write(c, readings.subList(from, Math.min(rows, from + batch)));
        }
      }
      double sinkSeconds = (System.nanoTime() - start) / 1e9;

      try (Connection c = DriverManager.getConnection(url);
          Statement st = c.createStatement()) {
        st.execute("CREATE TABLE reading_copy (LIKE reading INCLUDING ALL)");
      }
      String psqlUrl = url.replace("jdbc:", "").replace("?user=", "?user=");
      long copyStart = System.nanoTime();
      Process psql =
          new ProcessBuilder(
                  "psql",
                  "-w",
                  "-q",
                  "-d",
                  psqlUrl,
                  "-c",
                  "\\copy reading_copy (device_id, seq, event_time, district, metric, value) FROM '"
                      + file
                      + "' WITH (FORMAT csv)")
              .inheritIO()
              .start();
      if (psql.waitFor() != 0) {
        throw new IllegalStateException("psql \\copy failed");
      }
      double copySeconds = (System.nanoTime() - copyStart) / 1e9;
      Files.delete(file);
      System.out.printf(
          Locale.ROOT,
          "raw sink: %,d rows in %.2f s = %,.0f rows/s (batches of %,d, idempotent)%n",
          rows,
          sinkSeconds,
          rows / sinkSeconds,
          batch);
      System.out.printf(
          Locale.ROOT,
          "psql \\copy: %,d rows in %.2f s = %,.0f rows/s%n",
          rows,
          copySeconds,
          rows / copySeconds);
      System.out.printf(Locale.ROOT, "ratio (sink / copy): %.2f%n", copySeconds / sinkSeconds);
    } finally {
      try (Connection c = DriverManager.getConnection(admin);
          Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  /** A validated item as the validator makes it, for a device known by district only. */
  static TelemetryItem item(String district, Message m) {
    return TelemetryItem.of(district, m, new KnownDevice("", district, ""));
  }
}
