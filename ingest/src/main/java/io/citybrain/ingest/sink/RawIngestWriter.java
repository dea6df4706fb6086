package io.citybrain.ingest.sink;

import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.KnownDevice;
import io.citybrain.ingest.validate.MetricRange;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryValidator;
import io.citybrain.ingest.validate.Validated;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;

/** One subtask of {@link RawIngestSink}: validates, buffers, and writes in batches on its task thread. */
final class RawIngestWriter implements SinkWriter<MqttRecord> {
  private final String jdbcUrl;
  private final int batchSize;
  private final long flushIntervalMs;
  private final ProcessingTimeService time;
  private final TelemetryValidator validator;
  private final RawTelemetryWriter raw = new RawTelemetryWriter();
  private final DeadLetterWriter deadLetters = new DeadLetterWriter();
  private final AccountingWriter accounting = new AccountingWriter();
  private final List<Validated.Accepted> accepted = new ArrayList<>();
  private final List<Rejection> rejected = new ArrayList<>();
  private final Counter stored;
  private final Counter duplicates;
  private final Counter rejectedCount;
  private final org.apache.flink.metrics.MetricGroup metrics;
  private final Map<String, Counter> districtCounters = new HashMap<>();
  private Connection connection;
  private boolean timerSet;

  RawIngestWriter(String jdbcUrl, int batchSize, Duration flushInterval, Duration futureLimit,
      WriterInitContext context) {
    this.jdbcUrl = jdbcUrl;
    this.batchSize = batchSize;
    this.flushIntervalMs = flushInterval.toMillis();
    this.time = context.getProcessingTimeService();
    try {
      connection = DriverManager.getConnection(jdbcUrl);
      this.validator = new TelemetryValidator(registry(connection), ranges(connection), futureLimit,
          Clock.systemUTC());
    } catch (SQLException e) {
      closeConnection();
      throw new IllegalStateException("cannot read the device registry from the database: " + e.getMessage(), e);
    }
    this.metrics = context.metricGroup();
    this.stored = context.metricGroup().counter("stored");
    this.duplicates = context.metricGroup().counter("duplicates");
    this.rejectedCount = context.metricGroup().counter("rejected");
  }

  @Override
  public void write(MqttRecord record, Context context) throws IOException {
    Validated result = validator.validate(record.topic, record.payload);
    accepted.addAll(result.accepted());
    rejected.addAll(result.rejected());
    if (accepted.size() + rejected.size() >= batchSize) {
      flush(false);
    } else if (!timerSet) {
      timerSet = true;
      time.registerTimer(time.getCurrentProcessingTime() + flushIntervalMs, timestamp -> {
        timerSet = false;
        flush(false);
      });
    }
  }

  /** Called before every checkpoint barrier too: what the checkpoint covers is stored when it completes. */
  @Override
  public void flush(boolean endOfInput) throws IOException {
    if (accepted.isEmpty() && rejected.isEmpty()) {
      return;
    }
    try {
      ensureConnection();
      // Rows, dead letters and accounting commit together: the accounting identity holds at every commit.
      connection.setAutoCommit(false);
      WriteCounts counts = raw.write(connection, accepted);
      deadLetters.write(connection, rejected);
      AccountingWriter.Counts tally = new AccountingWriter.Counts();
      counts.byDistrict().forEach((district, n) -> {
        tally.add(district, "received", n[0] + n[1]);
        tally.add(district, "stored", n[0]);
        tally.add(district, "duplicate", n[1]);
      });
      for (Rejection r : rejected) {
        tally.add(r.district(), "received", 1);
        tally.add(r.district(), "rejected:" + r.reason().code(), 1);
      }
      accounting.add(connection, tally);
      connection.commit();
      stored.inc(counts.stored());
      duplicates.inc(counts.duplicates());
      rejectedCount.inc(rejected.size());
      tally.byDistrict().forEach((district, byCounter) -> byCounter.forEach((counter, n) ->
          districtCounter(district, counter.startsWith("rejected") ? "rejected" : counter).inc(n)));
      accepted.clear();
      rejected.clear();
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException | RuntimeException rollback) {
        e.addSuppressed(rollback);
      }
      closeConnection();
      // Failing the task is the retry: the source has not acknowledged these messages, so they come back.
      throw new IOException("writing raw telemetry failed: " + e.getMessage(), e);
    }
  }

  /** The accounting as Flink metrics: group district={code}, counters received, stored, duplicate, rejected. */
  private Counter districtCounter(String district, String counter) {
    return districtCounters.computeIfAbsent(district + "/" + counter, key -> metrics
        .addGroup("district", district.isEmpty() ? "unknown" : district).counter(counter));
  }

  private void ensureConnection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = DriverManager.getConnection(jdbcUrl);
    }
  }

  private void closeConnection() {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException e) {
      // Already broken; a new one is opened on the next flush.
    }
    connection = null;
  }

  @Override
  public void close() {
    closeConnection();
  }

  /** The registry as a lookup; read once per writer (100,000 devices take a few MB). */
  private static java.util.function.Function<String, Optional<KnownDevice>> registry(Connection c)
      throws SQLException {
    Map<String, KnownDevice> devices = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT device_id, district, device_class FROM device")) {
      while (rs.next()) {
        devices.put(rs.getString(1), new KnownDevice(rs.getString(1), rs.getString(2), rs.getString(3)));
      }
    }
    return id -> Optional.ofNullable(devices.get(id));
  }

  private static Map<String, MetricRange> ranges(Connection c) throws SQLException {
    Map<String, MetricRange> ranges = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, min_value, max_value FROM metric_kind")) {
      while (rs.next()) {
        ranges.put(rs.getString(1), new MetricRange(rs.getDouble(2), rs.getDouble(3)));
      }
    }
    return ranges;
  }
}
