package io.citybrain.stream.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.KnownDevice;
import io.citybrain.ingest.validate.MetricRange;
import io.citybrain.ingest.validate.Registry;
import io.citybrain.ingest.validate.RejectReason;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Validation in the operator test harness, without a database: the registry comes from a test
 * loader. Accepted items carry their own event time as the record's timestamp, rejections go to the
 * side output, a gateway batch is split item by item, watermarks pass through.
 */
class ValidateTelemetryTest {
  /** A minute ago: inside the future limit of the validator's system clock. */
  private static final long T = (System.currentTimeMillis() / 1_000 - 60) * 1_000;

  private static final AtomicInteger LOADS = new AtomicInteger();
  private OneInputStreamOperatorTestHarness<MqttRecord, TelemetryItem> harness;

  @BeforeEach
  void open() throws Exception {
    LOADS.set(0);
    harness =
        new OneInputStreamOperatorTestHarness<>(
            new ValidateTelemetry(ValidateTelemetryTest::registry, Duration.ofMinutes(5)));
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  static Registry registry() {
    LOADS.incrementAndGet();
    return new Registry(
        Map.of(
            "DP-RG-00001", new KnownDevice("DP-RG-00001", "DP", "sensor"),
            "DP-CAM-00001", new KnownDevice("DP-CAM-00001", "DP", "camera")),
        Map.of("rainfall_mm_h", new MetricRange(0, 300)),
        Set.of("road_flooding"));
  }

  @Test
  @DisplayName("the registry is loaded once, when the operator opens")
  void loadsOnOpen() {
    assertThat(LOADS.get()).isEqualTo(1);
  }

  @Test
  @DisplayName("an accepted reading leaves with its event time as the record timestamp")
  void acceptedCarryEventTime() throws Exception {
    harness.processElement(message("city/v1/DP/reading/DP-RG-00001", rain(1, T, 42)), T + 900);
    List<StreamRecord<TelemetryItem>> out = records();
    assertThat(out).singleElement().satisfies(r -> assertThat(r.getTimestamp()).isEqualTo(T));
    TelemetryItem item = out.get(0).getValue();
    assertThat(item.deviceId).isEqualTo("DP-RG-00001");
    assertThat(item.district).isEqualTo("DP");
    assertThat(item.value).isEqualTo(42);
    assertThat(harness.getSideOutput(ValidateTelemetry.REJECTED)).isNull();
  }

  @Test
  @DisplayName(
      "a rejection goes to the side output, stamped with the message's arrival (it has no trusted "
          + "event time), and nothing goes downstream")
  void rejectionsToSideOutput() throws Exception {
    byte[] outOfRange = rain(2, T, 999).toByteArray();
    harness.processElement(
        new MqttRecord("city/v1/DP/reading/DP-RG-00001", outOfRange, 0, T + 500), T + 500);
    harness.processElement(
        new MqttRecord("city/v1/DP/reading/DP-XX-1", rain(3, T, 1).toByteArray(), 0, T + 600),
        T + 600);
    assertThat(records()).isEmpty();
    List<StreamRecord<Rejection>> rejected =
        new ArrayList<>(harness.getSideOutput(ValidateTelemetry.REJECTED));
    assertThat(rejected)
        .extracting(r -> r.getValue().reason())
        .containsExactly(RejectReason.OUT_OF_RANGE, RejectReason.TOPIC_MISMATCH);
    assertThat(rejected).extracting(StreamRecord::getTimestamp).containsExactly(T + 500, T + 600);
    assertThat(rejected.get(0).getValue().payload()).isEqualTo(outOfRange);
  }

  @Test
  @DisplayName(
      "a gateway batch is split: each good item with its own event time, each bad one rejected")
  void batchItems() throws Exception {
    GatewayBatch batch =
        GatewayBatch.newBuilder()
            .setGatewayId("DP-GW-001")
            .setDistrict("DP")
            .addReadings(Reading.newBuilder(rain(10, T - 3_000, 5)))
            .addReadings(Reading.newBuilder(rain(11, T - 2_000, -5)))
            .addCameraEvents(
                CameraEvent.newBuilder()
                    .setCameraId("DP-CAM-00001")
                    .setSeq(12)
                    .setEventTimeMs(T - 1_000)
                    .setEventType("road_flooding"))
            .build();
    harness.processElement(message("city/v1/DP/batch/DP-GW-001", batch.toByteArray()), T + 100);
    assertThat(records())
        .extracting(r -> r.getValue().seq + "@" + r.getTimestamp())
        .containsExactly("10@" + (T - 3_000), "12@" + (T - 1_000));
    assertThat(harness.getSideOutput(ValidateTelemetry.REJECTED))
        .singleElement()
        .satisfies(r -> assertThat(r.getValue().reason()).isEqualTo(RejectReason.OUT_OF_RANGE));
  }

  @Test
  @DisplayName("the source's watermarks pass through unchanged")
  void watermarksPassThrough() throws Exception {
    harness.processWatermark(new Watermark(T));
    assertThat(harness.getOutput()).containsExactly(new Watermark(T));
  }

  private static Reading rain(long seq, long eventTimeMs, double value) {
    return Reading.newBuilder()
        .setDeviceId("DP-RG-00001")
        .setSeq(seq)
        .setEventTimeMs(eventTimeMs)
        .setMetric("rainfall_mm_h")
        .setValue(value)
        .setDistrict("DP")
        .build();
  }

  private static MqttRecord message(String topic, Reading reading) {
    return message(topic, reading.toByteArray());
  }

  private static MqttRecord message(String topic, byte[] payload) {
    return new MqttRecord(topic, payload, 0, 0);
  }

  @SuppressWarnings("unchecked")
  private List<StreamRecord<TelemetryItem>> records() {
    List<StreamRecord<TelemetryItem>> records = new ArrayList<>();
    for (Object o : harness.getOutput()) {
      if (o instanceof StreamRecord<?> r) {
        records.add((StreamRecord<TelemetryItem>) r);
      }
    }
    return records;
  }
}
