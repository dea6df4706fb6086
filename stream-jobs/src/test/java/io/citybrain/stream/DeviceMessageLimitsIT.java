package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Reading;
import io.citybrain.seeds.Device;
import io.citybrain.seeds.DeviceClass;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What one device message cannot do to the running job, on the real broker and database: a seq of
 * 2^63 or 10^6 ahead, a restarted numbering, an unknown camera event type, an over-long id.
 */
@ExtendWith(CityServicesExtension.class)
class DeviceMessageLimitsIT {
  static final List<Device> FLEET = FleetExpander.expand(CityJobRun.SEEDS).devices();
  static final Queue<String> REFUSED = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void database(TestServices services) {
    CityJobRun.prepareDatabase(services);
  }

  @Test
  @DisplayName(
      "seq 2^63 and a 10^6 jump are dead letters and the device's next readings are on time; a restart with a new "
          + "boot id is on time; an unknown event type and a long id are dead letters")
  void oneMessageCannotStopOrFoolTheJob(TestServices services) throws Exception {
    String sensor = first(DeviceClass.SENSOR, 0);
    String other = first(DeviceClass.SENSOR, 1);
    String camera = first(DeviceClass.CAMERA, 0);
    CityJobConfig config = CityJobRun.config(services, services.mqttUrl()).build();
    try (CityJobRun job = CityJobRun.start(services, config, CityJobIo.of(config));
        MqttConnection device =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("device"))
                    .withLogin(services.login(Principal.districtGateway("DP"))))) {
      long t = System.currentTimeMillis() - 10_000;
      for (long seq = 1; seq <= 5; seq++) {
        send(device, reading(sensor, seq, 0, t + seq * 100));
      }
      send(device, reading(sensor, Long.MIN_VALUE, 0, t + 550)); // 2^63
      send(device, reading(sensor, 1_000_005, 0, t + 560));
      for (long seq = 6; seq <= 10; seq++) {
        send(device, reading(sensor, seq, 0, t + seq * 100));
      }
      // The device (or its simulator) restarts: seqs from 1 again, a new boot id.
      for (long seq = 1; seq <= 5; seq++) {
        send(device, reading(sensor, seq, 42, t + 2_000 + seq * 100));
      }
      send(device, reading(other, Long.MIN_VALUE, 0, t + 100)); // as a first reading
      send(device, reading(other, 1, 0, t + 200));
      send(device, camera(camera, "alien_landing", 1, t + 100));
      send(device, camera(camera, "smoke_fire".repeat(7), 2, t + 200));
      send(
          device,
          Topics.reading("DP", sensor),
          reading(sensor, 11, 0, t + 1_100).toBuilder()
              .setDeviceId(sensor + "x".repeat(64))
              .build());

      assertThat(REFUSED).as("publishes the broker refused").isEmpty();
      CityJobRun.awaitAtLeast(
          services, "SELECT count(*) FROM dead_letter", 6, Duration.ofMinutes(1));
      CityJobRun.awaitAtLeast(
          services,
          "SELECT count(*) FROM reading WHERE device_id IN ('" + sensor + "', '" + other + "')",
          16,
          Duration.ofMinutes(1));
      CityJobRun.awaitStable(
          services,
          "SELECT (SELECT count(*) FROM reading) + (SELECT count(*) FROM dead_letter)",
          Duration.ofSeconds(2),
          Duration.ofMinutes(1));

      assertThat(CityJobRun.strings(services, "SELECT reason FROM dead_letter ORDER BY reason"))
          .containsExactly(
              "seq_jump",
              "seq_out_of_range",
              "seq_out_of_range",
              "text_too_long",
              "text_too_long",
              "unknown_event_type");
      assertThat(
              CityJobRun.strings(
                  services,
                  "SELECT seq || CASE WHEN late THEN ' late' ELSE '' END FROM reading WHERE device_id = '"
                      + sensor
                      + "' ORDER BY event_time"))
          .containsExactly(
              "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "1", "2", "3", "4", "5");
      assertThat(
              CityJobRun.strings(
                  services, "SELECT seq::text FROM reading WHERE device_id = '" + other + "'"))
          .containsExactly("1");
      assertThat(CityJobRun.query(services, "SELECT count(*) FROM reading WHERE seq < 0")).isZero();
      assertThat(
              CityJobRun.query(
                  services,
                  "SELECT count(*) FROM dead_letter WHERE detail IS NULL OR length(payload) = 0"))
          .isZero();
    }
  }

  private static String first(DeviceClass deviceClass, int skip) {
    return FLEET.stream()
        .filter(d -> d.district().equals("DP") && d.deviceClass() == deviceClass)
        .skip(skip)
        .findFirst()
        .orElseThrow()
        .id();
  }

  private static Reading reading(String device, long seq, long bootId, long at) {
    return Reading.newBuilder()
        .setDeviceId(device)
        .setSeq(seq)
        .setBootId(bootId)
        .setEventTimeMs(at)
        .setMetric("rainfall_mm_h")
        .setValue(1.5)
        .setDistrict("DP")
        .build();
  }

  private static CameraEvent camera(String device, String type, long seq, long at) {
    return CameraEvent.newBuilder()
        .setCameraId(device)
        .setSeq(seq)
        .setEventTimeMs(at)
        .setEventType(type)
        .setConfidence(0.9f)
        .setObjectCount(1)
        .setDistrict("DP")
        .build();
  }

  private static void send(MqttConnection device, Message m) throws Exception {
    String topic =
        m instanceof Reading r
            ? Topics.reading("DP", r.getDeviceId())
            : Topics.camera("DP", ((CameraEvent) m).getCameraId());
    send(device, topic, m);
  }

  private static void send(MqttConnection device, String topic, Message m) throws Exception {
    device.publish(
        topic,
        m.toByteArray(),
        1,
        false,
        error -> {
          if (error != null) {
            REFUSED.add(topic + ": " + error);
          }
        });
  }
}
