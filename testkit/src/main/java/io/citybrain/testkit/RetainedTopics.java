package io.citybrain.testkit;

import io.citybrain.access.BrokerLogin;
import io.citybrain.access.Principal;
import io.citybrain.proto.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Clears retained messages on a shared broker, so that one test does not read what another run left
 * behind.
 */
public final class RetainedTopics {
  private RetainedTopics() {}

  /**
   * Clears the live pictures of these districts and of the city ({@link Topics#live}, {@link
   * Topics#cityLive}).
   */
  public static void clearLive(String brokerUrl, Collection<String> districts) {
    List<String> topics = new ArrayList<>();
    districts.forEach(d -> topics.add(Topics.live(d)));
    topics.add(Topics.cityLive());
    clear(brokerUrl, topics);
  }

  /**
   * As the stream job, the one principal that publishes and retains results, on the test broker
   * (which refuses anonymous clients).
   */
  private static MqttConnectionOptions options() {
    MqttConnectionOptions options = new MqttConnectionOptions();
    ServiceEnvironment environment = ServiceEnvironment.current();
    if (environment != null) {
      BrokerLogin login = BrokerLogin.of(environment.installation(), Principal.job());
      options.setUserName(login.username());
      options.setPassword(login.password().getBytes(StandardCharsets.UTF_8));
    }
    return options;
  }

  /**
   * A zero-length retained message on each topic removes what was retained there; returns once the
   * broker has them.
   */
  public static void clear(String brokerUrl, Collection<String> topics) {
    try {
      MqttClient client =
          new MqttClient(brokerUrl, "cbt-clear-" + UUID.randomUUID(), new MemoryPersistence());
      try {
        client.connect(options());
        for (String topic : topics) {
          client.publish(topic, new byte[0], 1, true);
        }
        client.disconnect();
      } finally {
        client.close();
      }
    } catch (MqttException e) {
      throw new IllegalStateException(
          "cannot clear retained topics on " + brokerUrl + ": " + e.getMessage(), e);
    }
  }
}
