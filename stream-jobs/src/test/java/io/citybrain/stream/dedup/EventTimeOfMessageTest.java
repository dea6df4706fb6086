package io.citybrain.stream.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Position;
import io.citybrain.proto.v1.Reading;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The source's timestamps: each message's event time read without decoding it, capped at arrival.
 */
class EventTimeOfMessageTest {
  private static final long T = 1_790_000_000_123L;
  private final EventTimeOfMessage assigner = new EventTimeOfMessage();

  @Test
  @DisplayName(
      "readings, camera events and heartbeats give their event time; a batch its earliest item's")
  void eventTimes() {
    assertThat(
            ts(
                "city/v1/DP/reading/DP-RG-00001",
                Reading.newBuilder()
                    .setDeviceId("DP-RG-00001")
                    .setSeq(9)
                    .setEventTimeMs(T)
                    .setMetric("rainfall_mm_h")
                    .setValue(3.5)
                    .setDistrict("DP")
                    .build()
                    .toByteArray()))
        .isEqualTo(T);
    assertThat(
            ts(
                "city/v1/DP/camera/DP-CAM-00001",
                CameraEvent.newBuilder()
                    .setCameraId("DP-CAM-00001")
                    .setSeq(2)
                    .setEventTimeMs(T + 1)
                    .setEventType("road_flooding")
                    .setConfidence(0.9f)
                    .setPosition(Position.newBuilder().setLat(22.5).setLon(114.4))
                    .build()
                    .toByteArray()))
        .isEqualTo(T + 1);
    assertThat(
            ts(
                "city/v1/DP/heartbeat/DP-PMP-00001",
                Heartbeat.newBuilder()
                    .setDeviceId("DP-PMP-00001")
                    .setSeq(4)
                    .setEventTimeMs(T + 2)
                    .setFirmware("2.4")
                    .build()
                    .toByteArray()))
        .isEqualTo(T + 2);
    assertThat(
            ts(
                "city/v1/DP/batch/DP-GW-001",
                GatewayBatch.newBuilder()
                    .setGatewayId("DP-GW-001")
                    .addHeartbeats(
                        Heartbeat.newBuilder().setDeviceId("a").setSeq(1).setEventTimeMs(T + 50))
                    .addCameraEvents(
                        CameraEvent.newBuilder().setCameraId("b").setSeq(1).setEventTimeMs(T + 20))
                    .build()
                    .toByteArray()))
        .isEqualTo(T + 20);
  }

  @Test
  @DisplayName(
      "garbage, a bad topic or a missing event time contribute nothing; a fast clock is capped at arrival")
  void nothingOrCapped() {
    assertThat(ts("city/v1/DP/reading/x", new byte[] {(byte) 0xff, 0x01, 0x02}))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(ts("not/a/topic", Reading.newBuilder().setEventTimeMs(T).build().toByteArray()))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(
            ts("city/v1/DP/reading/x", Reading.newBuilder().setDeviceId("x").build().toByteArray()))
        .isEqualTo(Long.MIN_VALUE);
    MqttRecord fast =
        new MqttRecord(
            "city/v1/DP/reading/x",
            Reading.newBuilder().setEventTimeMs(T + 600_000).build().toByteArray(),
            0,
            T);
    assertThat(assigner.extractTimestamp(fast, 0)).isEqualTo(T);
  }

  private long ts(String topic, byte[] payload) {
    return assigner.extractTimestamp(new MqttRecord(topic, payload, 0, T + 3_600_000), 0);
  }
}
