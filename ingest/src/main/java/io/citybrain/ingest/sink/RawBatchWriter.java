package io.citybrain.ingest.sink;

import io.citybrain.ingest.validate.RejectReason;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask of the raw sinks: turns each input into items and rejections, buffers them, and
 * writes them in batches on its task thread, with the accounting in the same transaction.
 */
final class RawBatchWriter<IN> implements SinkWriter<IN> {
  /** How often subtask 0 applies the dead-letter retention. */
  static final Duration RETENTION_EVERY = Duration.ofHours(1);

  private static final Logger LOG = LoggerFactory.getLogger(RawBatchWriter.class);

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
  private final List<Rejection> failedCounted = new ArrayList<>();
  private final Counter stored;
  private final Counter duplicates;
  private final Counter late;
  private final Counter rejectedCount;
  private final Counter deadLettersExpired;
  private final MetricGroup metrics;
  private final Map<String, Counter> districtCounters = new HashMap<>();
  private final DeadLetterRetention retention;
  private final boolean runsRetention;
  private long retentionDueMs;
  private Connection connection;
  private boolean timerSet;

  RawBatchWriter(
      String jdbcUrl,
      int batchSize,
      Duration flushInterval,
      WriterInitContext context,
      Intake<IN> intake) {
    this(jdbcUrl, batchSize, flushInterval, null, context, intake);
  }

  /** With a dead-letter retention (null for none), applied by subtask 0 hourly. */
  RawBatchWriter(
      String jdbcUrl,
      int batchSize,
      Duration flushInterval,
      DeadLetterRetention retention,
      WriterInitContext context,
      Intake<IN> intake) {
    this.jdbcUrl = jdbcUrl;
    this.retention = retention;
    // One subtask is enough: the delete is by time, and the others would only repeat it.
    this.runsRetention = retention != null && context.getTaskInfo().getIndexOfThisSubtask() == 0;
    this.batchSize = batchSize;
    this.flushIntervalMs = flushInterval.toMillis();
    this.time = context.getProcessingTimeService();
    this.intake = intake;
    this.metrics = context.metricGroup();
    this.stored = metrics.counter("stored");
    this.duplicates = metrics.counter("duplicates");
    this.late = metrics.counter("late");
    this.rejectedCount = metrics.counter("rejected");
    this.deadLettersExpired = metrics.counter("deadLettersExpired");
  }

  void item(TelemetryItem item) {
    (item.duplicate ? knownDuplicates : accepted).add(item);
  }

  void rejection(Rejection rejection) {
    rejected.add(rejection);
  }

  /** A dead letter of an item already counted as stored: written, not counted again. */
  void failedAfterCounting(Rejection rejection) {
    failedCounted.add(rejection);
  }

  @Override
  public void write(IN input, Context context) throws IOException {
    intake.add(input, this);
    if (accepted.size() + knownDuplicates.size() + rejected.size() + failedCounted.size()
        >= batchSize) {
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
    if (accepted.isEmpty()
        && rejected.isEmpty()
        && knownDuplicates.isEmpty()
        && failedCounted.isEmpty()) {
      return;
    }
    try {
      writeBatch();
    } catch (SQLException e) {
      rollback(e);
      // An item the database refuses (a value too big for an index, say) would fail every retry
      // and the job would loop: find it, dead-letter it, store the rest.
      if (RefusedItems.isDataError(e) && isolateUnstorable()) {
        try {
          writeBatch();
          return;
        } catch (SQLException again) {
          rollback(again);
          e = again;
        }
      }
      closeConnection();
      // Failing the task is the retry: the source has not acknowledged these messages, so they come
      // back.
      throw new IOException("writing raw telemetry failed: " + e.getMessage(), e);
    }
  }

  /** Writes and commits the batch with its accounting, then empties it. */
  private void writeBatch() throws SQLException {
    ensureConnection();
    // Rows, dead letters and accounting commit together: the accounting identity holds at every
    // commit.
    connection.setAutoCommit(false);
    WriteCounts counts = accepted.isEmpty() ? new WriteCounts() : raw.write(connection, accepted);
    List<Rejection> fresh = deadLetters.write(connection, rejected);
    deadLetters.write(connection, failedCounted);
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
    for (Rejection r : fresh) {
      tally.add(r.district(), "rejected:" + r.reason().code(), 1);
    }
    // A dead letter already there (a replay after a restore, the same bytes again) is a
    // duplicate.
    for (Rejection r : rejected) {
      tally.add(r.district(), "received", 1);
    }
    int repeatedLetters = rejected.size() - fresh.size();
    if (repeatedLetters > 0) {
      Map<String, Long> repeats = new HashMap<>();
      rejected.forEach(r -> repeats.merge(r.district() == null ? "" : r.district(), 1L, Long::sum));
      fresh.forEach(r -> repeats.merge(r.district() == null ? "" : r.district(), -1L, Long::sum));
      repeats.forEach((district, n) -> tally.add(district, "duplicate", n));
    }
    accounting.add(connection, tally);
    connection.commit();
    stored.inc(counts.stored());
    duplicates.inc(counts.duplicates() + knownDuplicates.size() + repeatedLetters);
    late.inc(counts.late());
    rejectedCount.inc(fresh.size());
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
    failedCounted.clear();
    applyRetentionIfDue();
  }

  private void rollback(SQLException e) {
    try {
      if (connection != null) {
        connection.rollback();
      }
    } catch (SQLException | RuntimeException rollback) {
      e.addSuppressed(rollback);
    }
  }

  /**
   * Moves every item the database refuses on its own ({@link RefusedItems}) to the dead letters
   * ({@code processing_failed}, the item re-encoded as its message). True when it moved any.
   */
  private boolean isolateUnstorable() {
    Map<TelemetryItem, String> refused;
    try {
      ensureConnection();
      refused = new RefusedItems(connection, raw).find(accepted);
    } catch (SQLException e) {
      rollback(e);
      return false;
    }
    if (refused.isEmpty()) {
      return false;
    }
    accepted.removeIf(refused::containsKey);
    refused.forEach(
        (item, error) ->
            rejected.add(
                new Rejection(
                    ItemBytes.topic(item),
                    item.district,
                    RejectReason.PROCESSING_FAILED,
                    "the database refused the row: "
                        + (error.length() > 300 ? error.substring(0, 300) : error),
                    ItemBytes.payload(item))));
    return true;
  }

  /**
   * Deletes old dead letters, at the first flush and hourly after, in a transaction of its own:
   * what the batch stored is committed whatever happens here, and a failure is tried again at the
   * next flush after a reconnect.
   */
  private void applyRetentionIfDue() {
    long now = time.getCurrentProcessingTime();
    if (!runsRetention || now < retentionDueMs) {
      return;
    }
    try {
      connection.setAutoCommit(true);
      deadLettersExpired.inc(retention.apply(connection));
      retentionDueMs = now + RETENTION_EVERY.toMillis();
    } catch (SQLException e) {
      // Housekeeping never fails the task: the rows are committed; try again in a minute.
      LOG.warn("dead letter retention failed, retrying in a minute: {}", e.getMessage());
      retentionDueMs = now + 60_000;
      closeConnection();
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
