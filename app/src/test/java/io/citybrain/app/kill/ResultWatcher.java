package io.citybrain.app.kill;

import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.testkit.TestServices;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the job publishes on its result topics during one run (live pictures of the districts
 * and the city, alerts, incidents), in arrival order; what the broker retained from before the run
 * is left out.
 */
final class ResultWatcher implements AutoCloseable {
  /** One message as it arrived. */
  record Received(String topic, byte[] payload) {}

  private final MqttConnection connection;
  private final List<Received> received = new ArrayList<>();

  ResultWatcher(TestServices services, String brokerUrl) {
    connection =
        PahoConnection.connect(
            MqttSettings.builder(brokerUrl, services.uniqueId("kill-watch"))
                .login(services.login(Principal.observer()))
                .build());
    for (String filter : List.of("city/v1/+/live", "city/v1/+/alert", "city/v1/+/incident")) {
      connection.subscribe(
          filter,
          1,
          (String topic, byte[] payload, boolean retained) -> {
            if (!retained && payload.length > 0) {
              synchronized (received) {
                received.add(new Received(topic, payload));
              }
            }
          });
    }
  }

  /** A copy of what arrived so far. */
  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  @Override
  public void close() {
    connection.close();
  }
}
