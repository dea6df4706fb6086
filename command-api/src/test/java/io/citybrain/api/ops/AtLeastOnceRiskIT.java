package io.citybrain.api.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The backlog alert on a real Mosquitto of the test's own (the shipped configuration): a lane's
 * persistent session whose job is stopped queues what a gateway publishes; the API's figure from
 * {@code $SYS} follows it, the alert rises past its share of the limit and clears once the lane has
 * consumed and acknowledged its queue.
 */
@ExtendWith(CityServicesExtension.class)
class AtLeastOnceRiskIT {
  static final int LIMIT = 1_000;
  static final int PUBLISHED = 700;

  @Test
  @DisplayName("a queue filling while the job is stopped shows in the metric and raises the alert")
  void queueWhileTheJobIsStopped(TestServices services) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestServices.OwnBroker broker = services.ownMosquitto()) {
      String lane = services.uniqueId("lane");
      MqttSettings laneSettings =
          MqttSettings.persistentConsumer(broker.url(), lane, 300, 10_000)
              .withLogin(services.login(Principal.job()));
      // The lane subscribes once and goes away, as a stopped job's lane does: its session queues.
      MqttConnection stoppedLane = PahoConnection.connect(laneSettings);
      stoppedLane.subscribe(Topics.filter(MessageClass.READING, "DP"), 1, (topic, payload) -> {});
      stoppedLane.close();

      MqttConnection api =
          PahoConnection.connect(
              MqttSettings.builder(broker.url(), services.uniqueId("api"))
                  .login(services.login(Principal.api()))
                  .build());
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      AtLeastOnceRisk risk =
          new AtLeastOnceRisk(
              vertx,
              RiskSettings.DEFAULT.withBrokerMaxQueued(LIMIT),
              null,
              HealthSettings.DEFAULT_JOB_NAME);
      risk.subscribe(api);
      risk.start(vertx, registry);
      // Mosquitto publishes $SYS every sys_interval (5 s in the shipped file): the figure is known
      // within it.
      JsonObject quiet =
          await("the broker's figure known")
              .atMost(Duration.ofSeconds(60))
              .until(
                  risk::report,
                  r -> r.getJsonObject("broker").getValue("queued") instanceof Number);
      assertThat(quiet.getJsonObject("broker").getLong("queued")).isLessThan(LIMIT / 2L);
      assertThat(quiet.getJsonObject("broker").getBoolean("alert")).isFalse();
      assertThat(quiet.getJsonObject("checkpoint").getValue("age_s")).isEqualTo("unknown");

      MqttConnection gateway =
          PahoConnection.connect(
              MqttSettings.builder(broker.url(), services.uniqueId("gw"))
                  .login(services.login(Principal.districtGateway("DP")))
                  .build());
      CountDownLatch acked = new CountDownLatch(PUBLISHED);
      for (int i = 0; i < PUBLISHED; i++) {
        gateway.publish(
            Topics.reading("DP", "DP-SENSOR-" + i),
            new byte[] {1},
            1,
            false,
            e -> acked.countDown());
      }
      assertThat(acked.await(30, TimeUnit.SECONDS)).isTrue();
      gateway.close();

      JsonObject full =
          await("the alert raised")
              .atMost(Duration.ofSeconds(60))
              .until(risk::report, r -> r.getJsonObject("broker").getBoolean("alert"));
      assertThat(full.getJsonObject("broker").getLong("queued")).isGreaterThanOrEqualTo(PUBLISHED);
      String scrape = registry.scrape();
      assertThat(scrape).contains("citybrain_alert_broker_queue 1.0");
      assertThat(scrape)
          .containsPattern("citybrain_broker_queued_messages (7\\d\\d|[89]\\d\\d)\\.0");
      assertThat(scrape).contains("citybrain_job_checkpoint_age_seconds NaN");

      // The job comes back: its lane takes the queue and acknowledges it; the alert clears.
      AtomicInteger drained = new AtomicInteger();
      MqttConnection back = PahoConnection.connect(laneSettings);
      MqttConnection.DeliveryHandler ack =
          (topic, payload, packetId, qos) -> {
            back.acknowledge(packetId, qos);
            drained.incrementAndGet();
          };
      back.onUnmatched(ack);
      back.subscribe(Topics.filter(MessageClass.READING, "DP"), 1, ack);
      await("the lane drained its queue")
          .atMost(Duration.ofSeconds(30))
          .until(() -> drained.get() >= PUBLISHED);
      JsonObject cleared =
          await("the alert cleared")
              .atMost(Duration.ofSeconds(60))
              .until(risk::report, r -> !r.getJsonObject("broker").getBoolean("alert"));
      assertThat(cleared.getJsonObject("broker").getLong("queued")).isLessThan(LIMIT / 2L);
      back.close();
      // The session ends: nothing of this test stays queued on the broker.
      PahoConnection.connect(
              laneSettings.toBuilder().cleanStart(true).sessionExpirySeconds(0).build())
          .close();
      api.close();
    } finally {
      vertx.close();
    }
  }
}
