package io.citybrain.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.validate.KnownDevice;
import io.citybrain.ingest.validate.MetricRange;
import io.citybrain.ingest.validate.RejectReason;
import io.citybrain.ingest.validate.TelemetryValidator;
import io.citybrain.ingest.validate.Validated;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Position;
import io.citybrain.proto.v1.Reading;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every way a message can be wrong gets its own reason; right messages pass; batches are checked
 * item by item.
 */
class TelemetryValidatorTest {
  private static final long NOW = 1_790_000_000_000L;
  private static final Map<String, KnownDevice> REGISTRY =
      Map.of(
          "DP-RG-00001", new KnownDevice("DP-RG-00001", "DP", "sensor"),
          "DP-CAM-00001", new KnownDevice("DP-CAM-00001", "DP", "camera"),
          "FT-AQ-00001", new KnownDevice("FT-AQ-00001", "FT", "sensor"));
  private final TelemetryValidator validator =
      new TelemetryValidator(
          id -> Optional.ofNullable(REGISTRY.get(id)),
          Map.of("rainfall_mm_h", new MetricRange(0, 300)),
          Set.of("road_flooding", "smoke_fire"),
          Duration.ofMinutes(5),
          Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

  private static Reading.Builder rain() {
    return Reading.newBuilder()
        .setDeviceId("DP-RG-00001")
        .setSeq(1)
        .setEventTimeMs(NOW)
        .setMetric("rainfall_mm_h")
        .setValue(42)
        .setDistrict("DP");
  }

  @Test
  @DisplayName("a right reading, camera event and heartbeat pass, each counted for its district")
  void accepts() {
    assertThat(
            validator
                .validate("city/v1/DP/reading/DP-RG-00001", rain().build().toByteArray())
                .accepted())
        .extracting(item -> item.district)
        .containsExactly("DP");
    CameraEvent camera =
        CameraEvent.newBuilder()
            .setCameraId("DP-CAM-00001")
            .setSeq(3)
            .setEventTimeMs(NOW)
            .setEventType("road_flooding")
            .setDistrict("DP")
            .build();
    assertThat(
            validator.validate("city/v1/DP/camera/DP-CAM-00001", camera.toByteArray()).rejected())
        .isEmpty();
    Heartbeat heartbeat =
        Heartbeat.newBuilder().setDeviceId("DP-CAM-00001").setSeq(4).setEventTimeMs(NOW).build();
    assertThat(
            validator
                .validate("city/v1/DP/heartbeat/DP-CAM-00001", heartbeat.toByteArray())
                .rejected())
        .isEmpty();
  }

  @Test
  @DisplayName("each fault has its reason")
  void reasons() {
    assertReason(
        "city/DP/reading/DP-RG-00001", rain().build().toByteArray(), RejectReason.MALFORMED_TOPIC);
    assertReason(
        "city/v1/DP/weather/DP-RG-00001",
        rain().build().toByteArray(),
        RejectReason.MALFORMED_TOPIC);
    assertReason(
        "city/v1/DP/reading/DP-RG-00001", new byte[] {0x0F, 1, 2}, RejectReason.UNDECODABLE);
    assertReason(
        "city/v1/DP/reading/DP-RG-00001",
        rain().clearSeq().build().toByteArray(),
        RejectReason.MISSING_FIELD);
    assertReason(
        "city/v1/DP/reading/DP-RG-00002",
        rain().build().toByteArray(),
        RejectReason.TOPIC_MISMATCH);
    assertReason(
        "city/v1/DP/reading/DP-RG-00001",
        rain().setDistrict("FT").build().toByteArray(),
        RejectReason.TOPIC_MISMATCH);
    assertReason(
        "city/v1/DP/reading/DP-XX-00009",
        rain().setDeviceId("DP-XX-00009").build().toByteArray(),
        RejectReason.UNKNOWN_DEVICE);
    assertReason(
        "city/v1/DP/reading/FT-AQ-00001",
        rain().setDeviceId("FT-AQ-00001").build().toByteArray(),
        RejectReason.REGISTRY_MISMATCH);
    assertReason(
        "city/v1/DP/reading/DP-CAM-00001",
        rain().setDeviceId("DP-CAM-00001").build().toByteArray(),
        RejectReason.REGISTRY_MISMATCH);
    assertReason(
        "city/v1/DP/reading/DP-RG-00001",
        rain().setMetric("snow").build().toByteArray(),
        RejectReason.UNKNOWN_METRIC);
    assertReason(
        "city/v1/DP/reading/DP-RG-00001",
        rain().setValue(301).build().toByteArray(),
        RejectReason.OUT_OF_RANGE);
    assertReason(
        "city/v1/DP/reading/DP-RG-00001",
        rain().setEventTimeMs(NOW + 3_600_000).build().toByteArray(),
        RejectReason.FUTURE_EVENT_TIME);
  }

  @Test
  @DisplayName(
      "poison for the database is rejected, never written: NUL characters, ancient event times, empty batches")
  void poisonIsRejected() {
    assertReason(
        "city/v1/DP/reading/DP-RG-00001",
        rain().setMetric("rain\u0000fall").build().toByteArray(),
        RejectReason.INVALID_TEXT);
    Heartbeat nulFirmware =
        Heartbeat.newBuilder()
            .setDeviceId("DP-CAM-00001")
            .setSeq(4)
            .setEventTimeMs(NOW)
            .setFirmware("2.4\u0000")
            .build();
    assertReason(
        "city/v1/DP/heartbeat/DP-CAM-00001", nulFirmware.toByteArray(), RejectReason.INVALID_TEXT);
    assertReason(
        "city/v1/DP/reading/DP-RG-00001",
        rain().setEventTimeMs(1).build().toByteArray(),
        RejectReason.ANCIENT_EVENT_TIME);
    assertReason(
        "city/v1/DP/reading/DP-RG-00001",
        rain().setEventTimeMs(-70_000_000_000_000L).build().toByteArray(),
        RejectReason.ANCIENT_EVENT_TIME);
    assertReason(
        "city/v1/DP/batch/DP-GW-001",
        GatewayBatch.newBuilder().setGatewayId("DP-GW-001").build().toByteArray(),
        RejectReason.EMPTY_BATCH);
    var rejection =
        validator
            .validate(
                "city/v1/DP/reading/DP-RG-00001",
                rain().setDeviceId("DP-RG\u000000001").build().toByteArray())
            .rejected()
            .get(0);
    assertThat(rejection.detail()).doesNotContain("\u0000");
  }

  @Test
  @DisplayName(
      "a seq of 2^63 or more (uint64 on the wire, negative as a long) is seq_out_of_range, never stored")
  void seqBeyondSignedRangeIsRejected() {
    for (long seq : new long[] {Long.MIN_VALUE, -1L, 0x8000_0000_0000_0001L}) {
      byte[] bytes = rain().setSeq(seq).build().toByteArray();
      assertReason("city/v1/DP/reading/DP-RG-00001", bytes, RejectReason.SEQ_OUT_OF_RANGE);
    }
    var rejection =
        validator
            .validate(
                "city/v1/DP/reading/DP-RG-00001",
                rain().setSeq(Long.MIN_VALUE).build().toByteArray())
            .rejected()
            .get(0);
    assertThat(rejection.detail()).isEqualTo("seq 9223372036854775808 is above the limit 2^63-1");
    assertThat(
            validator
                .validate(
                    "city/v1/DP/reading/DP-RG-00001",
                    rain().setSeq(Long.MAX_VALUE).build().toByteArray())
                .accepted())
        .singleElement()
        .satisfies(item -> assertThat(item.seq).isEqualTo(Long.MAX_VALUE));
  }

  @Test
  @DisplayName(
      "a camera event type outside the vocabulary is unknown_event_type, alone or in a batch; none is missing_field")
  void unknownEventTypeIsRejected() {
    CameraEvent.Builder camera =
        CameraEvent.newBuilder()
            .setCameraId("DP-CAM-00001")
            .setSeq(3)
            .setEventTimeMs(NOW)
            .setEventType("Robert'); DROP TABLE camera_event;--")
            .setDistrict("DP");
    assertReason(
        "city/v1/DP/camera/DP-CAM-00001",
        camera.build().toByteArray(),
        RejectReason.UNKNOWN_EVENT_TYPE);
    assertReason(
        "city/v1/DP/camera/DP-CAM-00001",
        camera.setEventType("").build().toByteArray(),
        RejectReason.MISSING_FIELD);
    GatewayBatch batch =
        GatewayBatch.newBuilder()
            .setGatewayId("DP-GW-001")
            .addCameraEvents(camera.setEventType("ROAD_FLOODING"))
            .addCameraEvents(camera.setSeq(4).setEventType("smoke_fire"))
            .build();
    Validated result = validator.validate("city/v1/DP/batch/DP-GW-001", batch.toByteArray());
    assertThat(result.accepted()).extracting(i -> i.eventType).containsExactly("smoke_fire");
    assertThat(result.rejected())
        .extracting(r -> r.reason())
        .containsExactly(RejectReason.UNKNOWN_EVENT_TYPE);
  }

  @Test
  @DisplayName(
      "a camera's confidence outside 0..1 or NaN, a position off the globe, a battery outside 0..100 are out_of_range")
  void implausibleNumbersAreRejected() {
    CameraEvent.Builder camera =
        CameraEvent.newBuilder()
            .setCameraId("DP-CAM-00001")
            .setSeq(3)
            .setEventTimeMs(NOW)
            .setEventType("smoke_fire")
            .setConfidence(0.9f);
    for (float confidence : new float[] {Float.NaN, -0.1f, 1.5f, Float.POSITIVE_INFINITY}) {
      assertReason(
          "city/v1/DP/camera/DP-CAM-00001",
          camera.clone().setConfidence(confidence).build().toByteArray(),
          RejectReason.OUT_OF_RANGE);
    }
    for (double[] at :
        new double[][] {{Double.NaN, 114}, {22, Double.NEGATIVE_INFINITY}, {91, 0}}) {
      assertReason(
          "city/v1/DP/camera/DP-CAM-00001",
          camera
              .clone()
              .setPosition(Position.newBuilder().setLat(at[0]).setLon(at[1]))
              .build()
              .toByteArray(),
          RejectReason.OUT_OF_RANGE);
    }
    Heartbeat.Builder heartbeat =
        Heartbeat.newBuilder().setDeviceId("DP-CAM-00001").setSeq(4).setEventTimeMs(NOW);
    for (float battery : new float[] {Float.NaN, -2, 100.5f}) {
      assertReason(
          "city/v1/DP/heartbeat/DP-CAM-00001",
          heartbeat.clone().setBatteryPct(battery).build().toByteArray(),
          RejectReason.OUT_OF_RANGE);
    }
    for (float battery : new float[] {-1, 0, 100}) {
      assertThat(
              validator
                  .validate(
                      "city/v1/DP/heartbeat/DP-CAM-00001",
                      heartbeat.clone().setBatteryPct(battery).build().toByteArray())
                  .rejected())
          .isEmpty();
    }
    assertThat(
            validator
                .validate(
                    "city/v1/DP/camera/DP-CAM-00001",
                    camera
                        .clone()
                        .setPosition(Position.newBuilder().setLat(22.6).setLon(114.5))
                        .build()
                        .toByteArray())
                .rejected())
        .isEmpty();
  }

  @Test
  @DisplayName(
      "over-long ids, words and free text are text_too_long, the detail short and naming the field")
  void longStringsAreRejected() {
    String longId = "DP-RG-" + "0".repeat(100_000);
    var rejection =
        validator
            .validate(
                "city/v1/DP/reading/DP-RG-00001", rain().setDeviceId(longId).build().toByteArray())
            .rejected()
            .get(0);
    assertThat(rejection.reason()).isEqualTo(RejectReason.TEXT_TOO_LONG);
    assertThat(rejection.detail()).isEqualTo("device_id is 100006 characters, the limit is 64");
    var onLongTopic =
        validator
            .validate(
                "city/v1/DP/reading/" + longId, rain().setDeviceId(longId).build().toByteArray())
            .rejected()
            .get(0);
    assertThat(onLongTopic.reason()).isEqualTo(RejectReason.TEXT_TOO_LONG);
    assertThat(onLongTopic.detail()).isEqualTo("topic id is 100006 characters, the limit is 64");
    assertThat(onLongTopic.district()).isNull();
    assertReason(
        "city/v1/" + "D".repeat(65) + "/reading/DP-RG-00001",
        rain().build().toByteArray(),
        RejectReason.TEXT_TOO_LONG);
    assertReason(
        "city/v1/DP/reading/DP-RG-00001",
        rain().setMetric("m".repeat(65)).build().toByteArray(),
        RejectReason.TEXT_TOO_LONG);
    assertReason(
        "city/v1/DP/reading/DP-RG-00001",
        rain().setDistrict("D".repeat(65)).build().toByteArray(),
        RejectReason.TEXT_TOO_LONG);
    assertReason(
        "city/v1/DP/camera/DP-CAM-00001",
        CameraEvent.newBuilder()
            .setCameraId("DP-CAM-00001")
            .setSeq(3)
            .setEventTimeMs(NOW)
            .setEventType("smoke_fire" + "!".repeat(60))
            .build()
            .toByteArray(),
        RejectReason.TEXT_TOO_LONG);
    Heartbeat.Builder heartbeat =
        Heartbeat.newBuilder().setDeviceId("DP-CAM-00001").setSeq(4).setEventTimeMs(NOW);
    assertReason(
        "city/v1/DP/heartbeat/DP-CAM-00001",
        heartbeat.setFirmware("2".repeat(129)).build().toByteArray(),
        RejectReason.TEXT_TOO_LONG);
    assertThat(
            validator
                .validate(
                    "city/v1/DP/heartbeat/DP-CAM-00001",
                    heartbeat.setFirmware("2".repeat(128)).build().toByteArray())
                .rejected())
        .isEmpty();
    GatewayBatch batch =
        GatewayBatch.newBuilder().setGatewayId("G".repeat(65)).addReadings(rain()).build();
    assertReason("city/v1/DP/batch/DP-GW-001", batch.toByteArray(), RejectReason.TEXT_TOO_LONG);
  }

  @Test
  @DisplayName(
      "a rejection keeps the topic, the district and the raw bytes, and says what was wrong")
  void rejectionCarriesEverything() {
    byte[] bytes = rain().setValue(999).build().toByteArray();
    var rejection = validator.validate("city/v1/DP/reading/DP-RG-00001", bytes).rejected().get(0);
    assertThat(rejection.topic()).isEqualTo("city/v1/DP/reading/DP-RG-00001");
    assertThat(rejection.district()).isEqualTo("DP");
    assertThat(rejection.payload()).isEqualTo(bytes);
    assertThat(rejection.detail()).isEqualTo("rainfall_mm_h = 999.0 is outside 0.0..300.0");
  }

  @Test
  @DisplayName("a gateway batch is split: good items pass, bad ones are rejected one by one")
  void batchesAreSplit() {
    GatewayBatch batch =
        GatewayBatch.newBuilder()
            .setGatewayId("DP-GW-001")
            .setDistrict("DP")
            .addReadings(rain())
            .addReadings(rain().setSeq(2).setValue(-5))
            .addCameraEvents(
                CameraEvent.newBuilder()
                    .setCameraId("DP-CAM-00001")
                    .setSeq(9)
                    .setEventTimeMs(NOW)
                    .setEventType("road_flooding"))
            .addHeartbeats(
                Heartbeat.newBuilder().setDeviceId("DP-NOPE").setSeq(1).setEventTimeMs(NOW))
            .build();
    Validated result = validator.validate("city/v1/DP/batch/DP-GW-001", batch.toByteArray());
    assertThat(result.accepted()).hasSize(2);
    assertThat(result.rejected())
        .extracting(r -> r.reason())
        .containsExactly(RejectReason.OUT_OF_RANGE, RejectReason.UNKNOWN_DEVICE);
    assertThat(validator.validate("city/v1/FT/batch/DP-GW-001", batch.toByteArray()).rejected())
        .extracting(r -> r.reason())
        .containsExactly(RejectReason.TOPIC_MISMATCH);
  }

  private void assertReason(String topic, byte[] payload, RejectReason reason) {
    Validated result = validator.validate(topic, payload);
    assertThat(result.accepted()).as(topic).isEmpty();
    assertThat(result.rejected())
        .as(topic)
        .singleElement()
        .extracting(r -> r.reason())
        .isEqualTo(reason);
  }
}
