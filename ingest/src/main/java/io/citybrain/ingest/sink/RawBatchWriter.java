package io.citybrain.ingest.sink;

import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.storage.Jdbc;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * One subtask of the raw sinks: turns each input into items and rejections, buffers them, and
 * writes them in batches on its task thread, with the accounting in the same transaction.
 */
final class RawBatchWriter<IN> implements SinkWriter<IN> {
  /** How one input becomes items and rejections in the batch. */
  interface Intake<IN> extends Serializable {
    void add(IN input, RawBatchWriter<IN> batch);
  }

  private final String jdbcUrl;
  private final int batchSize;
  private final long flushIntervalMs;
  private final ProcessingTimeService time;
  private final Intake<IN> intake;
  private final RawTelemetryWriter raw = new RawTelemetryWriter();
  private final DeadLetterWriter deadLetters = new DeadLetterWriter();
  private final AccountingWriter accounting = new AccountingWriter();
  private final List<TelemetryItem> accepted = new ArrayList<>();

  /** Items the stream job already knows to be duplicates: counted, not written. */
  private final List<TelemetryItem> knownDuplicates = new ArrayList<>();

  private final List<Rejection> rejected = new ArrayList<>();
  private final Counter stored;
  private final Counter duplicates;
  private final Counter late;
  private final Counter rejectedCount;
  private final MetricGroup metrics;
  private final Map<String, Counter> districtCounters = new HashMap<>();
  private Connection connection;
  private boolean timerSet;

  RawBatchWriter(
      String jdbcUrl,
      int batchSize,
      Duration flushInterval,
      WriterInitContext context,
      Intake<IN> intake) {
    this.jdbcUrl = jdbcUrl;
    this.batchSize = batchSize;
    this.flushIntervalMs = flushInterval.toMillis();
    this.time = context.getProcessingTimeService();
    this.intake = intake;
    this.metrics = context.metricGroup();
    this.stored = metrics.counter("stored");
    this.duplicates = metrics.counter("duplicates");
    this.late = metrics.counter("late");
    this.rejectedCount = metrics.counter("rejected");
  }

  void item(TelemetryItem item) {
    (item.duplicate ? knownDuplicates : accepted).add(item);
  }

  void rejection(Rejection rejection) {
    rejected.add(rejection);
  }

  @Override
  public void write(IN input, Context context) throws IOException {
    intake.add(input, this);
    if (accepted.size() + knownDuplicates.size() + rejected.size() >= batchSize) {
      flush(false);
    } else if (!timerSet) {
      timerSet = true;
      time.registerTimer(
          time.getCurrentProcessingTime() + flushIntervalMs,
          timestamp -> {
            timerSet = false;
            flush(false);
          });
    }
  }

  /**
   * Called before every checkpoint barrier too: what the checkpoint covers is stored when it
   * completes.
   */
  @Override
  public void flush(boolean endOfInput) throws IOException {
    if (accepted.isEmpty() && rejected.isEmpty() && knownDuplicates.isEmpty()) {
      return;
    }
    try {
      ensureConnection();
      // Rows, dead letters and accounting commit together: the accounting identity holds at every
      // commit.
      connection.setAutoCommit(false);
      WriteCounts counts = accepted.isEmpty() ? new WriteCounts() : raw.write(connection, accepted);
      deadLetters.write(connection, rejected);
      AccountingWriter.Counts tally = new AccountingWriter.Counts();
      counts
          .byDistrict()
          .forEach(
              (district, n) -> {
                tally.add(district, "received", n[0] + n[1] + n[2]);
                tally.add(district, "stored", n[0]);
                tally.add(district, "duplicate", n[1]);
                tally.add(district, "late", n[2]);
              });
      for (TelemetryItem d : knownDuplicates) {
        tally.add(d.district, "received", 1);
        tally.add(d.district, "duplicate", 1);
      }
      for (Rejection r : rejected) {
        tally.add(r.district(), "received", 1);
        tally.add(r.district(), "rejected:" + r.reason().code(), 1);
      }
      accounting.add(connection, tally);
      connection.commit();
      stored.inc(counts.stored());
      duplicates.inc(counts.duplicates() + knownDuplicates.size());
      late.inc(counts.late());
      rejectedCount.inc(rejected.size());
      tally
          .byDistrict()
          .forEach(
              (district, byCounter) ->
                  byCounter.forEach(
                      (counter, n) ->
                          districtCounter(
                                  district, counter.startsWith("rejected") ? "rejected" : counter)
                              .inc(n)));
      accepted.clear();
      knownDuplicates.clear();
      rejected.clear();
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException | RuntimeException rollback) {
        e.addSuppressed(rollback);
      }
      closeConnection();
      // Failing the task is the retry: the source has not acknowledged these messages, so they come
      // back.
      throw new IOException("writing raw telemetry failed: " + e.getMessage(), e);
    }
  }

  /**
   * The accounting as Flink metrics: group district={code}, counters received, stored, duplicate,
   * late, rejected.
   */
  private Counter districtCounter(String district, String counter) {
    return districtCounters.computeIfAbsent(
        district + "/" + counter,
        key ->
            metrics
                .addGroup("district", district.isEmpty() ? "unknown" : district)
                .counter(counter));
  }

  private void ensureConnection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = Jdbc.connect(jdbcUrl);
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
}
