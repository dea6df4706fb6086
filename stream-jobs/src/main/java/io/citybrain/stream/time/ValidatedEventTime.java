package io.citybrain.stream.time;

import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.ingest.validate.TelemetryValidator;
import io.citybrain.ingest.validate.Validated;
import org.apache.flink.api.common.eventtime.TimestampAssigner;

/**
 * The timestamp an MQTT message contributes to its lane's watermark: the earliest event time among
 * the items of it that pass validation, never later than when it arrived; {@link
 * TimestampAssigner#NO_TIMESTAMP} when nothing in it passes, so a rejected message moves nothing.
 *
 * <p>Why capped at arrival: a device whose clock runs fast but within the future limit would
 * otherwise push its lane's watermark ahead and make every other device's readings late.
 */
final class ValidatedEventTime implements TimestampAssigner<MqttRecord> {
  private final TelemetryValidator validator;

  ValidatedEventTime(TelemetryValidator validator) {
    this.validator = validator;
  }

  @Override
  public long extractTimestamp(MqttRecord record, long previous) {
    if (previous != NO_TIMESTAMP) {
      // Stamped by the source with this same function (ValidatedLaneTime).
      return previous;
    }
    return of(record);
  }

  /** The event time of {@code record}, or {@link #NO_TIMESTAMP}. */
  long of(MqttRecord record) {
    if (record.isLaneTime()) {
      return NO_TIMESTAMP;
    }
    Validated result;
    try {
      result = validator.validate(record.topic, record.payload);
    } catch (RuntimeException e) {
      // Validation downstream dead-letters it; here it only must not move time.
      return NO_TIMESTAMP;
    }
    long earliest = Long.MAX_VALUE;
    for (TelemetryItem item : result.accepted()) {
      earliest = Math.min(earliest, item.eventTimeMs);
    }
    return earliest == Long.MAX_VALUE ? NO_TIMESTAMP : Math.min(earliest, record.receivedAtMs);
  }
}
