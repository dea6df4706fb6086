package io.citybrain.embedded;

import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A raw Paho MQTT 5 client that reports the broker's reason codes instead of hiding them: what a
 * forging client sees. (The mqtt module's tests depend on testkit, which depends on this module.)
 */
final class TestClient implements AutoCloseable {
  private static final long WAIT_MS = 10_000;
  private final MqttAsyncClient client;
  final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private IMqttToken connectToken;

  /** Why the broker disconnected this client, if it did. */
  volatile MqttDisconnectResponse disconnect;

  private TestClient(String url, String clientId) throws MqttException {
    client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
    client.setCallback(
        new MqttCallback() {
          @Override
          public void disconnected(MqttDisconnectResponse response) {
            disconnect = response;
          }

          @Override
          public void mqttErrorOccurred(MqttException exception) {}

          @Override
          public void messageArrived(String topic, MqttMessage message) {
            received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
          }

          @Override
          public void deliveryComplete(IMqttToken token) {}

          @Override
          public void connectComplete(boolean reconnect, String serverUri) {}

          @Override
          public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
  }

  /** Connects as the principal with its installation's password; throws on refusal. */
  static TestClient connect(String url, String clientId, Installation installation, Principal p)
      throws MqttException {
    return connect(url, clientId, p.name(), installation.password(p));
  }

  /** Connects with any username and password (null for none); throws on refusal. */
  static TestClient connect(String url, String clientId, String username, String password)
      throws MqttException {
    TestClient c = new TestClient(url, clientId);
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setAutomaticReconnect(false);
    if (username != null) {
      options.setUserName(username);
    }
    if (password != null) {
      options.setPassword(password.getBytes(StandardCharsets.UTF_8));
    }
    try {
      c.connectToken = c.client.connect(options);
      c.connectToken.waitForCompletion(WAIT_MS);
    } catch (MqttException e) {
      c.client.close(true);
      throw e;
    }
    return c;
  }

  /** The CONNACK's reason code a refused connect got (e.g. 0x86), or 0 when it was let in. */
  static int refusalOf(String url, String clientId, String username, String password) {
    try (TestClient c = connect(url, clientId, username, password)) {
      return 0;
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }

  /** The maximum packet size the broker announced in its CONNACK. */
  Long maximumPacketSize() {
    return connectToken.getResponseProperties().getMaximumPacketSize();
  }

  /** Publishes at QoS 1 and returns the PUBACK's reason code (0 accepted, 0x87 not authorized). */
  int publish(String topic, String text, boolean retained) throws MqttException {
    MqttMessage message = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    message.setRetained(retained);
    try {
      IMqttToken token = client.publish(topic, message);
      token.waitForCompletion(WAIT_MS);
      int[] codes = token.getReasonCodes();
      // Codes under 0x80 are successes (0x10: accepted, nobody subscribed).
      return codes == null || codes.length == 0 || codes[0] < 0x80 ? 0 : codes[0];
    } catch (MqttException e) {
      if (e.getReasonCode() >= 0x80 && e.getReasonCode() <= 0xA2) {
        return e.getReasonCode();
      }
      throw e;
    }
  }

  /** Subscribes at QoS 1 and returns the SUBACK's reason code (1 granted, 0x87 not authorized). */
  int subscribe(String filter) throws MqttException {
    try {
      IMqttToken token = client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)});
      token.waitForCompletion(WAIT_MS);
      return token.getReasonCodes()[0];
    } catch (MqttException e) {
      if (e.getReasonCode() >= 0x80 && e.getReasonCode() <= 0xA2) {
        return e.getReasonCode();
      }
      throw e;
    }
  }

  boolean isConnected() {
    return client.isConnected();
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(WAIT_MS);
      }
      client.close(true);
    } catch (MqttException e) {
      // The test is over; a client that does not close cleanly changes nothing.
    }
  }
}
