package io.citybrain.mqtt;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * How to connect: broker URL, client id, session handling, flow control. Validated on creation with
 * exact messages.
 *
 * @param sessionExpirySeconds 0 ends the session with the connection; persistent consumers set it
 *     high
 * @param maxInflight upper bound on messages in flight each way: ours to the broker (lowered
 *     further by the broker's Receive Maximum), and the broker's to us (our Receive Maximum), which
 *     with manual acks bounds what is unacked
 * @param manualAcks QoS 1 messages are acknowledged only by {@link MqttConnection#acknowledge}:
 *     at-least-once consumers
 */
public record MqttSettings(
    String url,
    String clientId,
    boolean cleanStart,
    long sessionExpirySeconds,
    int maxInflight,
    boolean automaticReconnect,
    int connectTimeoutSeconds,
    boolean manualAcks) {
  public static final int DEFAULT_MAX_INFLIGHT = 1000;
  public static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

  public MqttSettings {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("MQTT broker URL is required (e.g. tcp://127.0.0.1:1883)");
    }
    try {
      URI uri = new URI(url);
      if (!"tcp".equals(uri.getScheme()) && !"ssl".equals(uri.getScheme())
          || uri.getHost() == null
          || uri.getPort() <= 0) {
        throw new IllegalArgumentException(
            "MQTT broker URL must look like tcp://host:port, was '" + url + "'");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "MQTT broker URL must look like tcp://host:port, was '" + url + "'", e);
    }
    if (clientId == null || clientId.isBlank() || clientId.length() > 128) {
      throw new IllegalArgumentException(
          "MQTT client id must be 1-128 characters, was '" + clientId + "'");
    }
    if (maxInflight < 1 || maxInflight > 65_535) {
      throw new IllegalArgumentException("maxInflight must be within 1..65535, was " + maxInflight);
    }
    if (sessionExpirySeconds < 0) {
      throw new IllegalArgumentException(
          "sessionExpirySeconds must not be negative, was " + sessionExpirySeconds);
    }
  }

  /**
   * A persistent session with manual acknowledgements: what an at-least-once consumer uses. After a
   * crash the same client id resumes the session and the broker redelivers everything not
   * acknowledged.
   *
   * <p>No automatic reconnect: in testing, Paho 1.2.5 never brought such a session back after a
   * broker restart (clean sessions do come back). The owner notices {@link
   * MqttConnection#isConnected()} turning false and connects anew (the Flink source fails the
   * reader and Flink's restart does it).
   */
  public static MqttSettings persistentConsumer(
      String url, String clientId, long sessionExpirySeconds, int maxInflight) {
    return new MqttSettings(
        url,
        clientId,
        false,
        sessionExpirySeconds,
        maxInflight,
        false,
        DEFAULT_CONNECT_TIMEOUT_SECONDS,
        true);
  }

  /**
   * A clean, non-persistent session that reconnects by itself: what publishers and simulators use.
   */
  public static MqttSettings of(String url, String clientId) {
    return new MqttSettings(
        url, clientId, true, 0, DEFAULT_MAX_INFLIGHT, true, DEFAULT_CONNECT_TIMEOUT_SECONDS, false);
  }

  public MqttSettings withMaxInflight(int value) {
    return new MqttSettings(
        url,
        clientId,
        cleanStart,
        sessionExpirySeconds,
        value,
        automaticReconnect,
        connectTimeoutSeconds,
        manualAcks);
  }
}
