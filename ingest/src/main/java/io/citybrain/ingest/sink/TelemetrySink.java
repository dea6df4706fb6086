package io.citybrain.ingest.sink;

import java.time.Duration;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The raw sink for a job that validates and deduplicates upstream: stores items, counting those
 * flagged duplicate or late, and dead-letters rejections, all with the accounting in one
 * transaction per batch. Writes are idempotent and flushed on size, on time and before every
 * checkpoint, so a checkpoint covers only what is stored: with the source's
 * acknowledge-on-checkpoint, nothing the broker handed over is lost, and replays store nothing
 * twice.
 */
public final class TelemetrySink implements Sink<Ingested> {
  private static final long serialVersionUID = 1L;
  private final String jdbcUrl;
  private final int batchSize;
  private final Duration flushInterval;
  private final Duration deadLetterRetention;

  /** Without a dead-letter retention (TimescaleDB's policy, or a test's). */
  public TelemetrySink(String jdbcUrl, int batchSize, Duration flushInterval) {
    this(jdbcUrl, batchSize, flushInterval, null);
  }

  /** Deletes dead letters older than {@code deadLetterRetention} (null: never), hourly. */
  public TelemetrySink(
      String jdbcUrl, int batchSize, Duration flushInterval, Duration deadLetterRetention) {
    this.jdbcUrl = jdbcUrl;
    this.batchSize = batchSize;
    this.flushInterval = flushInterval;
    this.deadLetterRetention = deadLetterRetention;
  }

  @Override
  public SinkWriter<Ingested> createWriter(WriterInitContext context) {
    return new RawBatchWriter<>(
        jdbcUrl,
        batchSize,
        flushInterval,
        deadLetterRetention == null ? null : new DeadLetterRetention(deadLetterRetention),
        context,
        (in, batch) -> {
          if (in.item != null) {
            batch.item(in.item);
          } else if (in.counted) {
            batch.failedAfterCounting(in.rejection);
          } else {
            batch.rejection(in.rejection);
          }
        });
  }
}
