package io.citybrain.testkit;

import io.citybrain.proto.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.eclipse.paho.mqttv5.client.MqttClient;
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
   * A zero-length retained message on each topic removes what was retained there; returns once the
   * broker has them.
   */
  public static void clear(String brokerUrl, Collection<String> topics) {
    try {
      MqttClient client =
          new MqttClient(brokerUrl, "cbt-clear-" + UUID.randomUUID(), new MemoryPersistence());
      try {
        client.connect();
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
