package io.citybrain.stream.dedup;

import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.RegistryLoader;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.ingest.validate.TelemetryValidator;
import io.citybrain.ingest.validate.Validated;
import java.time.Duration;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates each MQTT message against the registry: items out, each stamped with its
 * own event time (a gateway batch's items differ), rejections to {@link #REJECTED}. An operator
 * rather than a ProcessFunction because a function cannot set its output's timestamp; the source's
 * per-lane watermarks pass through unchanged.
 */
public final class ValidateTelemetry extends AbstractStreamOperator<TelemetryItem>
    implements OneInputStreamOperator<MqttRecord, TelemetryItem> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<Rejection> REJECTED = new OutputTag<>("rejected") {};
  private final RegistryLoader registry;
  private final Duration futureLimit;
  private transient TelemetryValidator validator;
  private transient StreamRecord<TelemetryItem> reuse;

  public ValidateTelemetry(RegistryLoader registry, Duration futureLimit) {
    this.registry = registry;
    this.futureLimit = futureLimit;
  }

  @Override
  public void open() throws Exception {
    super.open();
    validator = registry.load().validator(futureLimit);
    reuse = new StreamRecord<>(null);
  }

  @Override
  public void processElement(StreamRecord<MqttRecord> element) {
    MqttRecord record = element.getValue();
    if (record.isLaneTime()) {
      // A restored lane's time marker: it only moved the lane's watermark, in the source.
      return;
    }
    Validated result = validator.validate(record.topic, record.payload);
    for (TelemetryItem item : result.accepted()) {
      output.collect(reuse.replace(item, item.eventTimeMs));
    }
    for (Rejection r : result.rejected()) {
      output.collect(REJECTED, new StreamRecord<>(r, record.receivedAtMs));
    }
  }
}
