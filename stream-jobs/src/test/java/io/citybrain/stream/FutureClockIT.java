package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.Reading;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rejected message moves no event time: one reading dated 2 h ahead, then 60 valid readings of
 * the last two minutes in the same lane, on the real broker, database and a MiniCluster. Before,
 * the rejected reading still set its lane's watermark to its arrival and the valid readings after
 * it were stored late.
 */
@ExtendWith(CityServicesExtension.class)
class FutureClockIT {
  static final String DEVICE = "DP-RG-00001";

  @BeforeAll
  static void database(TestServices services) {
    CityJobRun.prepareDatabase(services);
  }

  @Test
  @DisplayName(
      "a reading 2 h ahead is a dead letter and leaves the 60 valid readings after it on time")
  void futureReadingMovesNothing(TestServices services) throws Exception {
    // Short idleness: the quiet lane stops holding the watermark back within the test.
    CityJobConfig config =
        CityJobRun.config(services, services.mqttUrl()).idleness(Duration.ofSeconds(2)).build();
    try (CityJobRun job = CityJobRun.start(services, config, CityJobIo.of(config));
        MqttConnection device =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("rg"))
                    .withLogin(services.login(Principal.device("DP", DEVICE))))) {
      // Both lanes idle: from now on the lane that reads this device alone sets the time.
      Thread.sleep(4_000);
      long now = System.currentTimeMillis();
      String topic = Topics.of(MessageClass.READING, "DP", DEVICE);
      publish(device, topic, reading(1, now + Duration.ofHours(2).toMillis()));
      // The watermark it would make is emitted (every 200 ms) before the valid readings arrive:
      // the small backlog of the issue.
      Thread.sleep(1_500);
      for (int i = 0; i < 60; i++) {
        publish(device, topic, reading(2 + i, now - 120_000 + i * 1_000L));
      }
      String rows =
          "SELECT count(*) FROM reading WHERE device_id = '"
              + DEVICE
              + "' AND event_time >= to_timestamp("
              + (now - 120_000)
              + " / 1000.0)";
      assertThat(CityJobRun.awaitAtLeast(services, rows, 60, Duration.ofMinutes(1))).isEqualTo(60);
      long late = CityJobRun.query(services, rows + " AND late");
      System.out.printf("valid readings after a 2 h ahead one: 60 stored, %d late%n", late);
      assertThat(late).as("valid readings stored late").isZero();
      assertThat(
              CityJobRun.query(
                  services,
                  "SELECT count(*) FROM dead_letter WHERE reason = 'future_event_time' AND topic = '"
                      + topic
                      + "'"))
          .isEqualTo(1);
    }
  }

  private static byte[] reading(long seq, long eventTimeMs) {
    return Reading.newBuilder()
        .setDeviceId(DEVICE)
        .setSeq(seq)
        .setEventTimeMs(eventTimeMs)
        .setMetric("rainfall_mm_h")
        .setValue(2.5)
        .setDistrict("DP")
        .build()
        .toByteArray();
  }

  private static void publish(MqttConnection connection, String topic, byte[] payload)
      throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    connection.publish(
        topic,
        payload,
        1,
        false,
        error -> {
          if (error == null) {
            done.complete(null);
          } else {
            done.completeExceptionally(error);
          }
        });
    done.get(10, TimeUnit.SECONDS);
  }
}
