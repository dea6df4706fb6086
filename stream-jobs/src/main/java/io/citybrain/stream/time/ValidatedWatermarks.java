package io.citybrain.stream.time;

import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.RegistryLoader;
import io.citybrain.ingest.validate.TelemetryValidator;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * The source's per-lane watermarks, made only from messages that pass validation: bounded
 * out-of-orderness with idleness over {@link ValidatedEventTime}. A message that fails validation
 * neither moves its lane's time nor keeps the lane from going idle. The MQTT source stamps each
 * record with the same event time ({@link ValidatedLaneTime}) and keeps each lane's highest in its
 * checkpoint; the assigner takes a stamp it is given.
 *
 * <p>Why in the source and not after validation: watermarks per lane let a lagging lane (a backlog
 * after a restart) hold time back instead of making the other lanes' readings late; a source
 * subtask reads several lanes, so a watermark made after validation would mix them.
 */
public final class ValidatedWatermarks implements WatermarkStrategy<MqttRecord> {
  private static final long serialVersionUID = 1L;
  private final RegistryLoader registry;
  private final Duration futureLimit;
  private final Duration outOfOrderness;
  private final Duration idleness;

  public ValidatedWatermarks(
      RegistryLoader registry, Duration futureLimit, Duration outOfOrderness, Duration idleness) {
    this.registry = registry;
    this.futureLimit = futureLimit;
    this.outOfOrderness = outOfOrderness;
    this.idleness = idleness;
  }

  @Override
  public TimestampAssigner<MqttRecord> createTimestampAssigner(
      TimestampAssignerSupplier.Context context) {
    TelemetryValidator validator;
    try {
      validator = registry.load().validator(futureLimit);
    } catch (Exception e) {
      throw new FlinkRuntimeException("loading the registry for event time failed", e);
    }
    return new ValidatedEventTime(validator);
  }

  @Override
  public WatermarkGenerator<MqttRecord> createWatermarkGenerator(
      WatermarkGeneratorSupplier.Context context) {
    WatermarkGenerator<MqttRecord> bounded =
        WatermarkStrategy.<MqttRecord>forBoundedOutOfOrderness(outOfOrderness)
            .withIdleness(idleness)
            .createWatermarkGenerator(context);
    return new WatermarkGenerator<>() {
      @Override
      public void onEvent(MqttRecord event, long timestamp, WatermarkOutput output) {
        // Not even activity: a lane fed only rejected messages goes idle instead of holding the
        // city's watermark where it was.
        if (timestamp != TimestampAssigner.NO_TIMESTAMP) {
          bounded.onEvent(event, timestamp, output);
        }
      }

      @Override
      public void onPeriodicEmit(WatermarkOutput output) {
        bounded.onPeriodicEmit(output);
      }
    };
  }
}
