package io.citybrain.stream.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.KnownDevice;
import io.citybrain.ingest.validate.MetricRange;
import io.citybrain.ingest.validate.Registry;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.flink.util.clock.SystemClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Event time from validated items only: rejected messages give no timestamp and no watermark. */
class ValidatedEventTimeTest {
  static final String TOPIC = "city/v1/DP/reading/DP-RG-00001";
  static final Registry REGISTRY =
      new Registry(
          Map.of("DP-RG-00001", new KnownDevice("DP-RG-00001", "DP", "sensor")),
          Map.of("rainfall_mm_h", new MetricRange(0, 300)),
          Set.of());
  static final ValidatedWatermarks STRATEGY =
      new ValidatedWatermarks(
          () -> REGISTRY, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofSeconds(30));
  final long now = System.currentTimeMillis();
  final TimestampAssigner<MqttRecord> assigner = STRATEGY.createTimestampAssigner(null);

  @Test
  @DisplayName("a valid reading gives its event time, capped at its arrival")
  void valid() {
    assertThat(ts(TOPIC, reading(1, now - 10_000).toByteArray(), now)).isEqualTo(now - 10_000);
    assertThat(ts(TOPIC, reading(2, now + 60_000).toByteArray(), now)).isEqualTo(now);
  }

  @Test
  @DisplayName(
      "future-dated, ancient, undecodable, unknown-device and misplaced messages give no timestamp")
  void rejected() {
    long none = TimestampAssigner.NO_TIMESTAMP;
    assertThat(ts(TOPIC, reading(1, now + 7_200_000).toByteArray(), now)).isEqualTo(none);
    assertThat(ts(TOPIC, reading(1, 1_000).toByteArray(), now)).isEqualTo(none);
    assertThat(ts(TOPIC, new byte[] {(byte) 0xff, 1, 2}, now)).isEqualTo(none);
    assertThat(ts("city/v1/DP/reading/DP-RG-09999", reading(1, now).toByteArray(), now))
        .isEqualTo(none);
    assertThat(ts("city/v1/LG/reading/DP-RG-00001", reading(1, now).toByteArray(), now))
        .isEqualTo(none);
  }

  @Test
  @DisplayName(
      "a batch gives the earliest of its valid items; its rejected items count for nothing")
  void batch() {
    byte[] batch =
        GatewayBatch.newBuilder()
            .setGatewayId("DP-GW-1")
            .addReadings(reading(1, now - 5_000))
            .addReadings(reading(2, 5_000))
            .addReadings(reading(3, now - 3_000))
            .build()
            .toByteArray();
    assertThat(ts("city/v1/DP/batch/DP-GW-1", batch, now)).isEqualTo(now - 5_000);
  }

  @Test
  @DisplayName("the watermark ignores rejected messages entirely")
  void watermark() {
    WatermarkGenerator<MqttRecord> generator =
        STRATEGY.createWatermarkGenerator(
            new WatermarkGeneratorSupplier.Context() {
              @Override
              public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
              }

              @Override
              public RelativeClock getInputActivityClock() {
                return SystemClock.getInstance();
              }
            });
    List<Long> marks = new ArrayList<>();
    WatermarkOutput out =
        new WatermarkOutput() {
          @Override
          public void emitWatermark(Watermark watermark) {
            marks.add(watermark.getTimestamp());
          }

          @Override
          public void markIdle() {}

          @Override
          public void markActive() {}
        };
    generator.onEvent(null, now - 10_000, out);
    generator.onEvent(null, TimestampAssigner.NO_TIMESTAMP, out);
    generator.onPeriodicEmit(out);
    assertThat(marks).containsExactly(now - 10_000 - 5_000 - 1);
  }

  private long ts(String topic, byte[] payload, long receivedAt) {
    return assigner.extractTimestamp(
        new MqttRecord(topic, payload, 0, receivedAt), TimestampAssigner.NO_TIMESTAMP);
  }

  private static Reading reading(long seq, long eventTimeMs) {
    return Reading.newBuilder()
        .setDeviceId("DP-RG-00001")
        .setSeq(seq)
        .setEventTimeMs(eventTimeMs)
        .setMetric("rainfall_mm_h")
        .setValue(1.5)
        .setDistrict("DP")
        .build();
  }
}
