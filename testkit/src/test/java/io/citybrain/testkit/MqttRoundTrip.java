package io.citybrain.testkit;

import io.citybrain.access.BrokerLogin;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/** Publishes one QoS 1 message through a broker and returns what a subscriber received. */
final class MqttRoundTrip {
  private MqttRoundTrip() {}

  static String send(String brokerUrl, String topic, String text) throws Exception {
    return send(brokerUrl, null, null, topic, text);
  }

  /** The same, the publisher and the subscriber each logged in as the principal it plays. */
  static String send(
      String brokerUrl,
      BrokerLogin publisherLogin,
      BrokerLogin subscriberLogin,
      String topic,
      String text)
      throws Exception {
    MqttConnectionOptions publisherOptions = options(publisherLogin);
    MqttConnectionOptions options = options(subscriberLogin);
    MqttClient subscriber =
        new MqttClient(brokerUrl, topic.replace('/', '-') + "-sub", new MemoryPersistence());
    MqttClient publisher =
        new MqttClient(brokerUrl, topic.replace('/', '-') + "-pub", new MemoryPersistence());
    try {
      CompletableFuture<String> received = new CompletableFuture<>();
      subscriber.connect(options);
      // Paho 1.2.5's subscribe(String, int, IMqttMessageListener) recurses into itself until the
      // stack overflows;
      // the array form is the one that works.
      subscriber.subscribe(
          new MqttSubscription[] {new MqttSubscription(topic, 1)},
          new IMqttMessageListener[] {
            (t, message) ->
                received.complete(new String(message.getPayload(), StandardCharsets.UTF_8))
          });
      publisher.connect(publisherOptions);
      MqttMessage message = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
      message.setQos(1);
      publisher.publish(topic, message);
      return received.get(10, TimeUnit.SECONDS);
    } finally {
      for (MqttClient client : new MqttClient[] {publisher, subscriber}) {
        if (client.isConnected()) {
          client.disconnect();
        }
        client.close();
      }
    }
  }

  private static MqttConnectionOptions options(BrokerLogin login) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    if (login != null) {
      options.setUserName(login.username());
      options.setPassword(login.password().getBytes(StandardCharsets.UTF_8));
    }
    return options;
  }
}
