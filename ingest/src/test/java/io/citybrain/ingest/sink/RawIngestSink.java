package io.citybrain.ingest.sink;

import io.citybrain.ingest.jdbc.JdbcRegistryLoader;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.TelemetryValidator;
import io.citybrain.ingest.validate.Validated;
import java.sql.SQLException;
import java.time.Duration;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The ingest tests' whole pipeline end in one sink: validates each MQTT message against the
 * registry and metric ranges in the database, writes the valid telemetry to the raw tables and the
 * rest to the dead letters, through the same batch writer as the stream job's {@link
 * TelemetrySink}. In the test sources: the stream job validates in its own operator upstream.
 */
public final class RawIngestSink implements Sink<MqttRecord> {
  private static final long serialVersionUID = 1L;
  private final String jdbcUrl;
  private final int batchSize;
  private final Duration flushInterval;
  private final Duration futureLimit;

  public RawIngestSink(
      String jdbcUrl, int batchSize, Duration flushInterval, Duration futureLimit) {
    this.jdbcUrl = jdbcUrl;
    this.batchSize = batchSize;
    this.flushInterval = flushInterval;
    this.futureLimit = futureLimit;
  }

  @Override
  public SinkWriter<MqttRecord> createWriter(WriterInitContext context) {
    TelemetryValidator validator;
    try {
      validator = new JdbcRegistryLoader(jdbcUrl).load().validator(futureLimit);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the device registry from the database: " + e.getMessage(), e);
    }
    return new RawBatchWriter<>(
        jdbcUrl,
        batchSize,
        flushInterval,
        context,
        (record, batch) -> {
          Validated result = validator.validate(record.topic, record.payload);
          result.accepted().forEach(batch::item);
          result.rejected().forEach(batch::rejection);
        });
  }
}
