package io.citybrain.stream.dedup;

import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.Registry;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.ingest.validate.TelemetryValidator;
import io.citybrain.ingest.validate.Validated;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Decodes and validates each MQTT message against the registry: items out, rejections to {@link #REJECTED}. */
public final class ValidateTelemetry extends ProcessFunction<MqttRecord, TelemetryItem> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<Rejection> REJECTED = new OutputTag<>("rejected") { };
  private final String jdbcUrl;
  private final Duration futureLimit;
  private transient TelemetryValidator validator;

  public ValidateTelemetry(String jdbcUrl, Duration futureLimit) {
    this.jdbcUrl = jdbcUrl;
    this.futureLimit = futureLimit;
  }

  @Override
  public void open(OpenContext context) throws SQLException {
    try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
      validator = Registry.read(connection).validator(futureLimit);
    }
  }

  @Override
  public void processElement(MqttRecord record, Context ctx, Collector<TelemetryItem> out) {
    Validated result = validator.validate(record.topic, record.payload);
    for (TelemetryItem item : result.accepted()) {
      out.collect(item);
    }
    for (Rejection r : result.rejected()) {
      ctx.output(REJECTED, r);
    }
  }
}
