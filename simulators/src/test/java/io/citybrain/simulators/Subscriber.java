package io.citybrain.simulators;

import static org.awaitility.Awaitility.await;

import io.citybrain.access.BrokerLogin;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.awaitility.core.ConditionTimeoutException;

/** Collects every message on a topic filter, for checking what really went through the broker. */
final class Subscriber implements AutoCloseable {
  private final MqttConnection connection;
  private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

  /** One message as it arrived, with its arrival time. */
  record Received(String topic, byte[] payload, long atNanos) {}

  /**
   * @param login the principal the test plays: one allowed to read {@code filter} (the broker's
   *     administrator for telemetry, the API for acks)
   */
  Subscriber(String brokerUrl, BrokerLogin login, String clientId, String filter, int qos) {
    connection =
        PahoConnection.connect(
            MqttSettings.builder(brokerUrl, clientId).maxInflight(65_535).login(login).build());
    connection.subscribe(
        filter,
        qos,
        (topic, payload) -> received.add(new Received(topic, payload, System.nanoTime())));
  }

  List<Received> all() {
    return new ArrayList<>(received);
  }

  int count() {
    return received.size();
  }

  /**
   * Waits until at least {@code n} messages arrived or the timeout passed; returns the count. Not
   * reaching {@code n} is no failure here: at QoS 0 some may be lost, and the caller's assertion
   * says what it accepts.
   */
  int awaitCount(long n, long timeoutMs) {
    try {
      await()
          .atMost(Duration.ofMillis(timeoutMs))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> received.size() >= n);
    } catch (ConditionTimeoutException fewer) {
      // Fewer than n: the count returned says how many.
    }
    return received.size();
  }

  void clear() {
    received.clear();
  }

  @Override
  public void close() {
    connection.close();
  }
}
