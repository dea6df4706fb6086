package io.citybrain.mqtt;

import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.settings.InvalidSettingException;
import io.citybrain.settings.Redact;
import java.util.Objects;

/**
 * How to connect: broker URL, client id, session handling, flow control. An immutable value built
 * by {@link #builder} (or the shorthands {@link #of} and {@link #persistentConsumer}) and validated
 * there, failing with an {@link InvalidSettingException} in domain words ({@code MQTT URL must look
 * like ...}); a command line restates it as its flag.
 *
 * <p>A builder rather than a record's positional constructor, so that settings to come
 * (credentials, TLS) are one more builder method each, with a default, and described (masked) here.
 */
public final class MqttSettings implements Described {
  public static final int DEFAULT_MAX_INFLIGHT = 1000;
  public static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

  /** MQTT 5 limits: Receive Maximum is a two-byte integer, client ids are short strings. */
  public static final int MAX_INFLIGHT_LIMIT = 65_535;

  public static final int MAX_CLIENT_ID_LENGTH = 128;

  private final String url;
  private final String clientId;
  private final boolean cleanStart;
  private final long sessionExpirySeconds;
  private final int maxInflight;
  private final boolean automaticReconnect;
  private final int connectTimeoutSeconds;
  private final boolean manualAcks;

  private MqttSettings(Builder b) {
    this.url = Check.mqttUrl(b.url, "MQTT URL");
    Check.require(
        b.clientId != null && !b.clientId.isBlank() && b.clientId.length() <= MAX_CLIENT_ID_LENGTH,
        "MQTT client id",
        "must be 1-" + MAX_CLIENT_ID_LENGTH + " characters, was '" + b.clientId + "'");
    this.clientId = b.clientId;
    this.cleanStart = b.cleanStart;
    this.sessionExpirySeconds = Check.notNegative(b.sessionExpirySeconds, "MQTT session expiry");
    this.maxInflight = Check.within(b.maxInflight, 1, MAX_INFLIGHT_LIMIT, "MQTT max in flight");
    this.automaticReconnect = b.automaticReconnect;
    this.connectTimeoutSeconds = Check.atLeast(b.connectTimeoutSeconds, 1, "MQTT connect timeout");
    this.manualAcks = b.manualAcks;
  }

  /**
   * Settings for a broker and client id, starting from the defaults of {@link #of}: a clean session
   * that reconnects by itself, {@link #DEFAULT_MAX_INFLIGHT} in flight, automatic acks.
   */
  public static Builder builder(String url, String clientId) {
    return new Builder(url, clientId);
  }

  /**
   * A clean, non-persistent session that reconnects by itself: what publishers and simulators use.
   */
  public static MqttSettings of(String url, String clientId) {
    return builder(url, clientId).build();
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
    return builder(url, clientId)
        .cleanStart(false)
        .sessionExpirySeconds(sessionExpirySeconds)
        .maxInflight(maxInflight)
        .automaticReconnect(false)
        .manualAcks(true)
        .build();
  }

  /** A builder holding these settings, to change some of them. */
  public Builder toBuilder() {
    return new Builder(url, clientId)
        .cleanStart(cleanStart)
        .sessionExpirySeconds(sessionExpirySeconds)
        .maxInflight(maxInflight)
        .automaticReconnect(automaticReconnect)
        .connectTimeoutSeconds(connectTimeoutSeconds)
        .manualAcks(manualAcks);
  }

  public MqttSettings withMaxInflight(int value) {
    return toBuilder().maxInflight(value).build();
  }

  /** The same settings for another client, e.g. one connection of several that share a prefix. */
  public MqttSettings withClientId(String value) {
    return toBuilder().clientId(value).build();
  }

  public String url() {
    return url;
  }

  public String clientId() {
    return clientId;
  }

  public boolean cleanStart() {
    return cleanStart;
  }

  /** 0 ends the session with the connection; persistent consumers set it high. */
  public long sessionExpirySeconds() {
    return sessionExpirySeconds;
  }

  /**
   * Upper bound on messages in flight each way: ours to the broker (lowered further by the broker's
   * Receive Maximum), and the broker's to us (our Receive Maximum), which with manual acks bounds
   * what is unacked.
   */
  public int maxInflight() {
    return maxInflight;
  }

  public boolean automaticReconnect() {
    return automaticReconnect;
  }

  public int connectTimeoutSeconds() {
    return connectTimeoutSeconds;
  }

  /**
   * QoS 1 messages are acknowledged only by {@link MqttConnection#acknowledge}: at-least-once
   * consumers.
   */
  public boolean manualAcks() {
    return manualAcks;
  }

  @Override
  public Description describe() {
    return new Description("mqtt")
        .url("MQTT URL", url)
        .add("MQTT client id", clientId)
        .add("MQTT session", cleanStart ? "clean start" : "resumed")
        .add("MQTT session expiry", sessionExpirySeconds + " s")
        .add("MQTT max in flight", maxInflight)
        .add("MQTT reconnect", automaticReconnect ? "automatic" : "by the owner")
        .add("MQTT connect timeout", connectTimeoutSeconds + " s")
        .add("MQTT acks", manualAcks ? "manual" : "automatic");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MqttSettings other
        && url.equals(other.url)
        && clientId.equals(other.clientId)
        && cleanStart == other.cleanStart
        && sessionExpirySeconds == other.sessionExpirySeconds
        && maxInflight == other.maxInflight
        && automaticReconnect == other.automaticReconnect
        && connectTimeoutSeconds == other.connectTimeoutSeconds
        && manualAcks == other.manualAcks;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        url,
        clientId,
        cleanStart,
        sessionExpirySeconds,
        maxInflight,
        automaticReconnect,
        connectTimeoutSeconds,
        manualAcks);
  }

  /** The broker (masked) and client id: what a log line needs; {@link #describe} has the rest. */
  @Override
  public String toString() {
    return "MqttSettings[" + Redact.url(url) + " as " + clientId + "]";
  }

  /** Collects settings; {@link #build} validates them all. */
  public static final class Builder {
    private String url;
    private String clientId;
    private boolean cleanStart = true;
    private long sessionExpirySeconds;
    private int maxInflight = DEFAULT_MAX_INFLIGHT;
    private boolean automaticReconnect = true;
    private int connectTimeoutSeconds = DEFAULT_CONNECT_TIMEOUT_SECONDS;
    private boolean manualAcks;

    private Builder(String url, String clientId) {
      this.url = url;
      this.clientId = clientId;
    }

    public Builder url(String value) {
      url = value;
      return this;
    }

    public Builder clientId(String value) {
      clientId = value;
      return this;
    }

    public Builder cleanStart(boolean value) {
      cleanStart = value;
      return this;
    }

    public Builder sessionExpirySeconds(long value) {
      sessionExpirySeconds = value;
      return this;
    }

    public Builder maxInflight(int value) {
      maxInflight = value;
      return this;
    }

    public Builder automaticReconnect(boolean value) {
      automaticReconnect = value;
      return this;
    }

    public Builder connectTimeoutSeconds(int value) {
      connectTimeoutSeconds = value;
      return this;
    }

    public Builder manualAcks(boolean value) {
      manualAcks = value;
      return this;
    }

    /** The settings; fails with an {@link InvalidSettingException} naming the first bad one. */
    public MqttSettings build() {
      return new MqttSettings(this);
    }
  }
}
