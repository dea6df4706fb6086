package io.citybrain.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.proto.Topics;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The replay after a reconnect against a real Mosquitto this test kills ({@code kill -9}) and
 * restarts: the publisher sends its window again by itself, the same payloads, and a persistent
 * subscriber gets every one of them from the restarted broker.
 */
@ExtendWith(CityServicesExtension.class)
class ReplayingConnectionIT {
  static final int MESSAGES = 50;

  @Test
  @DisplayName(
      "after kill -9 and restart of the broker the publisher sends its window again, and a subscriber gets all of it")
  void replayAfterBrokerKill(TestServices services) throws Exception {
    try (TestServices.OwnBroker broker = services.ownMosquitto()) {
      String topic = Topics.reading("FT", services.uniqueId("replay"));
      MqttSettings lane =
          MqttSettings.persistentConsumer(broker.url(), services.uniqueId("lane"), 3600, 1000)
              .withLogin(services.login(Principal.job()));
      Set<String> received = ConcurrentHashMap.newKeySet();
      PahoConnection first = PahoConnection.connect(lane);
      first.subscribe(topic, 1, handler(first, received));
      long subscribedAt = System.currentTimeMillis();
      // The subscription must be in the broker's snapshot to survive the kill.
      Path db = persistenceFile(broker);
      await("the broker saved the subscription")
          .atMost(Duration.ofSeconds(20))
          .until(() -> Files.exists(db) && Files.getLastModifiedTime(db).toMillis() > subscribedAt);

      List<ReplayWindow.Entry> told = new CopyOnWriteArrayList<>();
      AtomicLong acked = new AtomicLong();
      try (ReplayingConnection publisher =
          new ReplayingConnection(
              PahoConnection.connect(
                  MqttSettings.builder(broker.url(), services.uniqueId("gw"))
                      .login(services.login(Principal.districtGateway("FT")))
                      .build()),
              ReplayWindow.ofAge(Duration.ofSeconds(60)),
              t -> true,
              (entry, error) -> {
                if (error == null) {
                  told.add(entry);
                }
              })) {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
          String p = "reading-" + i;
          sent.add(p);
          publisher.publish(
              topic,
              p.getBytes(StandardCharsets.UTF_8),
              1,
              false,
              error -> {
                if (error == null) {
                  acked.incrementAndGet();
                }
              });
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> acked.get() == MESSAGES);
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == MESSAGES);
        assertThat(publisher.window().size()).isEqualTo(MESSAGES);
        first.close();
        received.clear();

        broker.killAndRestart();
        // The publisher reconnects by itself and replays; the subscriber comes back to its session.
        PahoConnection second =
            await("the subscriber back on the restarted broker")
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> PahoConnection.connect(lane), c -> true);
        try {
          second.subscribe(topic, 1, handler(second, received));
          await("the window replayed and acknowledged")
              .atMost(Duration.ofSeconds(30))
              .until(() -> told.size() == MESSAGES);
          assertThat(publisher.replays()).isEqualTo(1);
          assertThat(publisher.replayed()).isEqualTo(MESSAGES);
          assertThat(publisher.replayAcked()).isEqualTo(MESSAGES);
          assertThat(told)
              .extracting(e -> new String(e.payload(), StandardCharsets.UTF_8))
              .containsExactlyElementsOf(sent);
          await("every replayed message at the subscriber")
              .atMost(Duration.ofSeconds(30))
              .untilAsserted(() -> assertThat(received).containsExactlyInAnyOrderElementsOf(sent));
        } finally {
          second.close();
        }
      }
    }
  }

  private static MqttConnection.DeliveryHandler handler(
      MqttConnection connection, Set<String> received) {
    return (t, payload, packetId, qos) -> {
      received.add(new String(payload, StandardCharsets.UTF_8));
      connection.acknowledge(packetId, qos);
    };
  }

  private static Path persistenceFile(TestServices.OwnBroker broker) throws Exception {
    String folder =
        Files.readAllLines(broker.configFile()).stream()
            .filter(l -> l.startsWith("persistence_location "))
            .map(l -> l.substring("persistence_location ".length()).trim())
            .findFirst()
            .orElseThrow();
    return Path.of(folder, "mosquitto.db");
  }
}
