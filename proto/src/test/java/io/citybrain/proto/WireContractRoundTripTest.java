package io.citybrain.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.AlertState;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Evidence;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Incident;
import io.citybrain.proto.v1.MetricStats;
import io.citybrain.proto.v1.Position;
import io.citybrain.proto.v1.Reading;
import io.citybrain.proto.v1.Severity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every wire message survives encode/decode, and readers keep fields they do not know yet. */
class WireContractRoundTripTest {

  static final Reading READING =
      Reading.newBuilder()
          .setDeviceId("DP-AQ-00001")
          .setSeq(42)
          .setEventTimeMs(1_764_000_000_123L)
          .setMetric("pm25")
          .setValue(35.5)
          .setDistrict("DP")
          .build();

  static final CameraEvent CAMERA =
      CameraEvent.newBuilder()
          .setCameraId("DP-CAM-06999")
          .setSeq(7)
          .setEventTimeMs(1_764_000_000_500L)
          .setEventType("illegal_parking")
          .setConfidence(0.93f)
          .setObjectCount(2)
          .setPosition(Position.newBuilder().setLat(22.59).setLon(114.48))
          .setDistrict("DP")
          .build();

  static final Heartbeat HEARTBEAT =
      Heartbeat.newBuilder()
          .setDeviceId("FT-WL-00003")
          .setSeq(9)
          .setEventTimeMs(1_764_000_001_000L)
          .setDistrict("FT")
          .setBatteryPct(-1)
          .setFirmware("2.4.1")
          .build();

  @Test
  @DisplayName("upstream messages and a gateway batch decode to what was encoded")
  void upstreamRoundTrip() throws InvalidProtocolBufferException {
    assertThat(Reading.parseFrom(READING.toByteArray())).isEqualTo(READING);
    assertThat(CameraEvent.parseFrom(CAMERA.toByteArray())).isEqualTo(CAMERA);
    assertThat(Heartbeat.parseFrom(HEARTBEAT.toByteArray())).isEqualTo(HEARTBEAT);

    GatewayBatch batch =
        GatewayBatch.newBuilder()
            .setGatewayId("DP-GW-001")
            .setBatchSeq(3)
            .setSentAtMs(1_764_000_002_000L)
            .setDistrict("DP")
            .addReadings(READING)
            .addCameraEvents(CAMERA)
            .addCameraEvents(CAMERA.toBuilder().setSeq(8))
            .addHeartbeats(HEARTBEAT)
            .build();
    GatewayBatch decoded = GatewayBatch.parseFrom(batch.toByteArray());
    assertThat(decoded).isEqualTo(batch);
    assertThat(decoded.getCameraEventsList())
        .extracting(CameraEvent::getSeq)
        .containsExactly(7L, 8L);
  }

  @Test
  @DisplayName("commands and acknowledgements decode to what was encoded, parameters included")
  void commandRoundTrip() throws InvalidProtocolBufferException {
    Command command =
        Command.newBuilder()
            .setCommandId("cmd-1")
            .setDeviceId("DP-PUMP-00002")
            .setDistrict("DP")
            .setAction("start_pump")
            .putParams("rate", "max")
            .putParams("minutes", "30")
            .setIssuedAtMs(1000)
            .setExpiresAtMs(61_000)
            .setPlanRunId("run-9")
            .setAttempt(2)
            .build();
    Command decoded = Command.parseFrom(command.toByteArray());
    assertThat(decoded).isEqualTo(command);
    assertThat(decoded.getParamsMap()).containsEntry("minutes", "30").hasSize(2);

    CommandAck ack =
        CommandAck.newBuilder()
            .setCommandId("cmd-1")
            .setDeviceId("DP-PUMP-00002")
            .setDistrict("DP")
            .setStatus(AckStatus.ACK_STATUS_FAILED)
            .setDetail("motor stalled")
            .setAtMs(2000)
            .setSeq(77)
            .setPlanRunId("run-9")
            .build();
    assertThat(CommandAck.parseFrom(ack.toByteArray())).isEqualTo(ack);
  }

  @Test
  @DisplayName(
      "snapshots, alerts and incidents decode to what was encoded; an absent p95 stays absent")
  void resultRoundTrip() throws InvalidProtocolBufferException {
    DistrictSnapshot snapshot =
        DistrictSnapshot.newBuilder()
            .setDistrict("NS")
            .setWindowStartMs(0)
            .setWindowEndMs(10_000)
            .addMetrics(
                MetricStats.newBuilder()
                    .setMetric("noise_db")
                    .setCount(3)
                    .setMin(40)
                    .setMax(70)
                    .setMean(55)
                    .setSum(165)
                    .setP95(69.5))
            .addMetrics(
                MetricStats.newBuilder()
                    .setMetric("pm25")
                    .setCount(1)
                    .setMin(10)
                    .setMax(10)
                    .setMean(10)
                    .setSum(10))
            .putCameraEventsByType("illegal_parking", 4)
            .putCameraEventsByCategory("public_order", 4)
            .setDevicesOnline(99)
            .setDevicesTotal(100)
            .setOnlineRate(0.99)
            .setSituationIndex(42.5)
            .putSubIndices("traffic", 60)
            .setOpenAlerts(1)
            .setOpenIncidents(0)
            .setGeneratedAtMs(10_050)
            .build();
    DistrictSnapshot decoded = DistrictSnapshot.parseFrom(snapshot.toByteArray());
    assertThat(decoded).isEqualTo(snapshot);
    assertThat(decoded.getMetrics(0).hasP95()).isTrue();
    assertThat(decoded.getMetrics(1).hasP95()).isFalse();

    Alert alert =
        Alert.newBuilder()
            .setAlertId("a-1")
            .setRuleId("pm25_high")
            .setDistrict("NS")
            .setMetric("pm25")
            .setSeverity(Severity.SEVERITY_HIGH)
            .setState(AlertState.ALERT_STATE_CLEARED)
            .setValue(60)
            .setThreshold(75)
            .setWindowEndMs(20_000)
            .setRaisedAtMs(10_000)
            .setClearedAtMs(20_000)
            .build();
    assertThat(Alert.parseFrom(alert.toByteArray())).isEqualTo(alert);

    Incident incident =
        Incident.newBuilder()
            .setIncidentId("i-1")
            .setPatternId("flood")
            .setDistrict("DP")
            .setSeverity(Severity.SEVERITY_CRITICAL)
            .setStartedAtMs(1)
            .setDetectedAtMs(2)
            .setSummary("rain, rising water and road flooding")
            .setResponsePlanId("flood_response")
            .addEvidence(
                Evidence.newBuilder()
                    .setDeviceId("DP-RG-00001")
                    .setSeq(5)
                    .setKind("reading")
                    .setWhat("rainfall_mm_h")
                    .setValue(80))
            .addAlertIds("a-1")
            .build();
    assertThat(Incident.parseFrom(incident.toByteArray())).isEqualTo(incident);
  }

  @Test
  @DisplayName("a reader keeps a field added by a newer writer and passes it on unchanged")
  void unknownFieldsSurvive() throws IOException {
    // A newer writer appends field 99 (say, a humidity hint) that this version does not know.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(READING.toByteArray());
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(99, "from-the-future");
    out.flush();

    Reading older = Reading.parseFrom(bytes.toByteArray());
    assertThat(older.getDeviceId()).isEqualTo("DP-AQ-00001");
    assertThat(older.getSeq()).isEqualTo(42);
    assertThat(older.getValue()).isEqualTo(35.5);
    assertThat(older.getUnknownFields().hasField(99)).isTrue();
    // Re-encoding keeps the unknown field, so a relay never strips what a newer consumer needs.
    assertThat(older.toByteArray()).isEqualTo(bytes.toByteArray());
  }

  @Test
  @DisplayName("an older writer's message (fields missing) reads with proto3 defaults")
  void missingFieldsReadAsDefaults() throws InvalidProtocolBufferException {
    Reading minimal = Reading.newBuilder().setDeviceId("LH-NZ-00001").setSeq(1).build();
    Reading decoded = Reading.parseFrom(minimal.toByteArray());
    assertThat(decoded.getMetric()).isEmpty();
    assertThat(decoded.getValue()).isZero();
    assertThat(decoded.getDistrict()).isEmpty();
  }
}
