package io.citybrain.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.proto.Topics;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** CityBrain's MQTT interface against the real broker. */
@ExtendWith(CityServicesExtension.class)
class PahoConnectionIT {

  @Test
  @DisplayName(
      "a QoS 1 publish is acknowledged and reaches a subscriber; the in-flight bound respects the setting")
  void roundTrip(TestServices services) throws Exception {
    // A gateway's reading, read by the broker's administrator: what their rights allow.
    String topic = Topics.reading("FT", services.uniqueId("rt"));
    try (MqttConnection sub =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("s"))
                    .withLogin(services.login(Principal.brokerAdmin())));
        MqttConnection pub =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("p"))
                    .withMaxInflight(5)
                    .withLogin(services.login(Principal.districtGateway("FT"))))) {
      CompletableFuture<String> received = new CompletableFuture<>();
      sub.subscribe(
          topic, 1, (t, payload) -> received.complete(new String(payload, StandardCharsets.UTF_8)));
      CompletableFuture<Throwable> acked = new CompletableFuture<>();
      pub.publish(topic, "水位 118%".getBytes(StandardCharsets.UTF_8), 1, false, acked::complete);
      assertThat(acked.get(10, TimeUnit.SECONDS)).isNull();
      assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("水位 118%");
      assertThat(pub.inflightLimit()).isBetween(1, 5);
      assertThat(pub.isConnected()).isTrue();
    }
  }

  @Test
  @DisplayName(
      "a retain-aware handler is told a message came retained: true for the broker's replay on subscribe, false for a live one")
  void retainFlag(TestServices services) throws Exception {
    // Only the stream job may retain, on its result topics; the observer may read them.
    String topic = "city/v1/DP/live";
    try (MqttConnection job =
        PahoConnection.connect(
            MqttSettings.builder(services.mqttUrl(), services.uniqueId("job"))
                .login(services.login(Principal.job()))
                .build())) {
      CompletableFuture<Throwable> kept = new CompletableFuture<>();
      job.publish(topic, "kept".getBytes(StandardCharsets.UTF_8), 1, true, kept::complete);
      assertThat(kept.get(10, TimeUnit.SECONDS)).isNull();
      List<String> seen = new CopyOnWriteArrayList<>();
      try (MqttConnection sub =
          PahoConnection.connect(
              MqttSettings.builder(services.mqttUrl(), services.uniqueId("observer"))
                  .login(services.login(Principal.observer()))
                  .build())) {
        sub.subscribe(
            topic,
            1,
            (t, payload, retained) ->
                seen.add(new String(payload, StandardCharsets.UTF_8) + " retained=" + retained));
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
        job.publish(
            topic,
            "live".getBytes(StandardCharsets.UTF_8),
            1,
            false,
            MqttConnection.PublishCallback.IGNORE);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactly("kept retained=true", "live retained=false");
      } finally {
        CompletableFuture<Throwable> cleared = new CompletableFuture<>();
        job.publish(topic, new byte[0], 1, true, cleared::complete);
        cleared.get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @DisplayName(
      "a message with Message Expiry is not delivered to a session that comes back after it expired")
  void messageExpiry(TestServices services) throws Exception {
    // A device's own command topic, which the API publishes to.
    String device = services.uniqueId("device");
    String topic = Topics.command("FT", device);
    MqttSettings persistent =
        MqttSettings.builder(services.mqttUrl(), device)
            .login(services.login(Principal.device("FT", device)))
            .cleanStart(false)
            .sessionExpirySeconds(300)
            .maxInflight(100)
            .automaticReconnect(false)
            .build();
    // The device subscribes with a persistent session, then goes offline.
    PahoConnection first = PahoConnection.connect(persistent);
    first.subscribe(topic, 1, (t, p) -> {});
    first.close();
    try (MqttConnection coordinator =
        PahoConnection.connect(
            MqttSettings.of(services.mqttUrl(), services.uniqueId("coordinator"))
                .withLogin(services.login(Principal.api())))) {
      CompletableFuture<Throwable> a = new CompletableFuture<>();
      CompletableFuture<Throwable> b = new CompletableFuture<>();
      coordinator.publish(topic, "stale".getBytes(StandardCharsets.UTF_8), 1, 1, a::complete);
      coordinator.publish(topic, "fresh".getBytes(StandardCharsets.UTF_8), 1, 300, b::complete);
      assertThat(a.get(10, TimeUnit.SECONDS)).isNull();
      assertThat(b.get(10, TimeUnit.SECONDS)).isNull();
    }
    // Not a wait for something to happen: time must pass, so that the 1 s expiry runs out offline.
    Thread.sleep(2_500);
    List<String> delivered = new CopyOnWriteArrayList<>();
    // Back online: the queued messages arrive on the resumed session; the one that expired must
    // not.
    PahoConnection back = PahoConnection.connect(persistent);
    back.subscribe(
        topic, 1, (t, payload) -> delivered.add(new String(payload, StandardCharsets.UTF_8)));
    await().atMost(Duration.ofSeconds(5)).until(() -> delivered.contains("fresh"));
    back.close();
    assertThat(delivered).contains("fresh").doesNotContain("stale");
  }

  @Test
  @DisplayName(
      "with manual acks, a reconnecting persistent session gets exactly what it did not acknowledge, then the rest")
  void redeliveryToAReconnectingSession(TestServices services) throws Exception {
    // Telemetry read by the stream job's lane, published by a gateway.
    String topic = Topics.reading("FT", services.uniqueId("lane"));
    MqttSettings lane =
        MqttSettings.persistentConsumer(services.mqttUrl(), services.uniqueId("lane"), 3600, 1000)
            .withLogin(services.login(Principal.job()));
    List<Integer> packetIds = new CopyOnWriteArrayList<>();
    PahoConnection first = PahoConnection.connect(lane);
    first.subscribe(
        topic,
        1,
        (MqttConnection.DeliveryHandler) (t, payload, packetId, qos) -> packetIds.add(packetId));
    try (MqttConnection publisher =
        PahoConnection.connect(
            MqttSettings.of(services.mqttUrl(), services.uniqueId("publisher"))
                .withLogin(services.login(Principal.districtGateway("FT"))))) {
      publishAll(publisher, topic, 0, 20);
      // A broker must keep a window of unacknowledged messages in flight (the source acks only per
      // checkpoint).
      await("delivered before any acknowledgement")
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(packetIds).hasSize(20));
      for (int i = 0; i < 10; i++) {
        first.acknowledge(packetIds.get(i), 1);
      }
      // Acks go out without a reply to wait for: give them a moment on the wire before closing.
      Thread.sleep(300);
      first.close();
      publishAll(publisher, topic, 20, 30);
    }
    List<String> second = new CopyOnWriteArrayList<>();
    try (PahoConnection back = PahoConnection.connect(lane)) {
      back.subscribe(
          topic, 1, (t, payload) -> second.add(new String(payload, StandardCharsets.UTF_8)));
      await().atMost(Duration.ofSeconds(5)).until(() -> second.size() >= 20);
      // And nothing more: no acknowledged message comes back.
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> second.size() == 20);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 10; i < 30; i++) {
      expected.add("m" + i);
    }
    assertThat(second).isEqualTo(expected);
  }

  private static void publishAll(MqttConnection publisher, String topic, int from, int to)
      throws Exception {
    for (int i = from; i < to; i++) {
      CompletableFuture<Throwable> acked = new CompletableFuture<>();
      publisher.publish(
          topic, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false, acked::complete);
      assertThat(acked.get(5, TimeUnit.SECONDS)).isNull();
    }
  }

  @Test
  @DisplayName(
      "a resumed session's stale subscription is handed to onUnmatched, and unsubscribe ends it")
  void staleSubscriptions(TestServices services) throws Exception {
    String old = Topics.reading("FT", services.uniqueId("old"));
    String current = Topics.reading("FT", services.uniqueId("current"));
    MqttSettings lane =
        MqttSettings.persistentConsumer(services.mqttUrl(), services.uniqueId("lane"), 300, 100)
            .withLogin(services.login(Principal.job()));
    PahoConnection before = PahoConnection.connect(lane);
    before.subscribe(old, 1, (t, p) -> {});
    before.close();
    List<String> unmatched = new CopyOnWriteArrayList<>();
    List<String> matched = new CopyOnWriteArrayList<>();
    try (PahoConnection after = PahoConnection.connect(lane);
        MqttConnection publisher =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("publisher"))
                    .withLogin(services.login(Principal.districtGateway("FT"))))) {
      after.onUnmatched(
          (t, payload, packetId, qos) -> {
            unmatched.add(t);
            after.acknowledge(packetId, qos);
          });
      after.subscribe(current, 1, (t, p) -> matched.add(t));
      publishAll(publisher, old, 0, 1);
      publishAll(publisher, current, 0, 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> !unmatched.isEmpty() && !matched.isEmpty());
      assertThat(unmatched).containsExactly(old);
      assertThat(matched).containsExactly(current);
      after.unsubscribe(old);
      publishAll(publisher, old, 1, 2);
      // Unsubscribed: the second message on the old filter never arrives.
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> unmatched.size() == 1);
    }
  }

  @Test
  @DisplayName(
      "a handler that throws does not take the connection down: the next message still arrives")
  void failingHandlerIsContained(TestServices services) throws Exception {
    String topic = Topics.reading("FT", services.uniqueId("boom"));
    List<String> delivered = new CopyOnWriteArrayList<>();
    try (MqttConnection sub =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("s"))
                    .withLogin(services.login(Principal.brokerAdmin())));
        MqttConnection pub =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("p"))
                    .withLogin(services.login(Principal.districtGateway("FT"))))) {
      sub.subscribe(
          topic,
          1,
          (t, payload) -> {
            String text = new String(payload, StandardCharsets.UTF_8);
            delivered.add(text);
            if (text.equals("first")) {
              throw new IllegalStateException("handler bug");
            }
          });
      for (String text : List.of("first", "second")) {
        CompletableFuture<Throwable> acked = new CompletableFuture<>();
        pub.publish(topic, text.getBytes(StandardCharsets.UTF_8), 1, false, acked::complete);
        assertThat(acked.get(10, TimeUnit.SECONDS)).isNull();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() >= 2);
      assertThat(delivered).containsExactly("first", "second");
      assertThat(sub.isConnected()).isTrue();
      assertThat(sub.reconnects()).isZero();
    }
  }

  @Test
  @DisplayName(
      "a broker back with a smaller Receive Maximum: every publish waits its turn and is acknowledged, none refused")
  void smallerReceiveMaximumAfterRestart(TestServices services) throws Exception {
    try (TestServices.OwnBroker broker = services.ownMosquitto()) {
      int limit = 10;
      try (PahoConnection publisher =
          PahoConnection.connect(
              MqttSettings.builder(broker.url(), services.uniqueId("gw"))
                  .login(services.login(Principal.districtGateway("FT")))
                  .build())) {
        // The connection took the broker's 1,000 at its first CONNACK; Paho takes the new one at
        // the reconnect's. Paho then refuses ("Too many publishes in progress") what this
        // connection's own count still lets through, the shape seen after broker kills.
        java.nio.file.Path config = broker.configFile();
        String shipped = java.nio.file.Files.readString(config);
        assertThat(shipped).contains("max_inflight_messages 1000");
        java.nio.file.Files.writeString(
            config,
            shipped.replace("max_inflight_messages 1000", "max_inflight_messages " + limit));
        broker.restart();
        await("the publisher back").atMost(Duration.ofSeconds(30)).until(publisher::isConnected);

        String topic = Topics.reading("FT", services.uniqueId("room"));
        int messages = 2_000;
        java.util.concurrent.atomic.AtomicInteger acked =
            new java.util.concurrent.atomic.AtomicInteger();
        List<Throwable> failed = new CopyOnWriteArrayList<>();
        for (int i = 0; i < messages; i++) {
          publisher.publish(
              topic,
              ("m" + i).getBytes(StandardCharsets.UTF_8),
              1,
              false,
              error -> {
                if (error == null) {
                  acked.incrementAndGet();
                } else {
                  failed.add(error);
                }
              });
        }
        await("every publish acknowledged")
            .atMost(Duration.ofSeconds(60))
            .until(() -> acked.get() + failed.size() == messages);
        assertThat(failed.size())
            .as("refused publishes, the first: %s", failed.isEmpty() ? "none" : failed.get(0))
            .isZero();
        assertThat(acked.get()).isEqualTo(messages);
        assertThat(publisher.pahoInflightWaits()).as("publishes that waited for Paho").isPositive();
      }
    }
  }

  @Test
  @DisplayName("an unreachable broker fails with one line naming it")
  void connectFailure() {
    assertThatThrownBy(
            () -> PahoConnection.connect(MqttSettings.of("tcp://127.0.0.1:1", "nobody-home")))
        .isInstanceOf(MqttConnectException.class)
        .hasMessageStartingWith("cannot connect to tcp://127.0.0.1:1: ");
    assertThatThrownBy(() -> MqttSettings.of("localhost:1883", "x"))
        .hasMessage(
            "MQTT URL must look like tcp://host:port or ssl://host:port, was 'localhost:1883'");
  }
}
