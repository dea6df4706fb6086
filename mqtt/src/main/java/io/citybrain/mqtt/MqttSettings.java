package io.citybrain.mqtt;

import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.settings.InvalidSettingException;
import io.citybrain.settings.Redact;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /**
   * The largest packet either side accepts, as the shipped Mosquitto configuration sets it: a
   * gateway batch of 500 camera events is about 40 KiB.
   */
  public static final int DEFAULT_MAX_PACKET_SIZE = 262_144;

  private final String url;
  private final String clientId;
  private final boolean cleanStart;
  private final long sessionExpirySeconds;
  private final int maxInflight;
  private final boolean automaticReconnect;
  private final int connectTimeoutSeconds;
  private final boolean manualAcks;
  private final String username;
  private final String password;
  private final Path caCertificate;
  private final int maxPacketSize;

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
    Check.require(
        (b.username == null) == (b.password == null),
        "MQTT login",
        "needs both a username and a password, or neither");
    Check.require(
        b.username == null || !b.username.isBlank(), "MQTT username", "must not be blank");
    this.username = b.username;
    this.password = b.password;
    boolean tls = url.startsWith("ssl://");
    Check.require(
        b.caCertificate == null || tls,
        "MQTT CA certificate",
        "is for TLS: use an ssl:// MQTT URL, was " + Redact.url(url));
    Check.require(
        b.caCertificate == null || Files.isReadable(b.caCertificate),
        "MQTT CA certificate",
        "must be a readable PEM file, was " + b.caCertificate);
    this.caCertificate = b.caCertificate;
    this.maxPacketSize = Check.within(b.maxPacketSize, 1024, 268_435_455, "MQTT max packet size");
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
        .manualAcks(manualAcks)
        .login(username, password)
        .caCertificate(caCertificate)
        .maxPacketSize(maxPacketSize);
  }

  /** The same settings logged in as another principal. */
  public MqttSettings withLogin(io.citybrain.access.BrokerLogin login) {
    return toBuilder().login(login).build();
  }

  /** The same settings logged in as another principal. */
  public MqttSettings withLogin(String username, String password) {
    return toBuilder().login(username, password).build();
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

  /** The MQTT username; null for an anonymous connection (which CityBrain's brokers refuse). */
  public String username() {
    return username;
  }

  /** The password; never logged ({@link #describe} and {@link #toString} mask it). */
  public String password() {
    return password;
  }

  /**
   * The PEM certificate of the CA that signed the broker's certificate (for {@code ssl://}); null
   * trusts the JVM's default CAs.
   */
  public Path caCertificate() {
    return caCertificate;
  }

  /** The largest packet we send or accept (MQTT 5 Maximum Packet Size). */
  public int maxPacketSize() {
    return maxPacketSize;
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
        .add("MQTT acks", manualAcks ? "manual" : "automatic")
        .add("MQTT username", username == null ? "(anonymous)" : username)
        .add("MQTT password", password == null ? "(none)" : "(set, not shown)")
        .add("MQTT CA certificate", caCertificate == null ? "(JVM default)" : caCertificate)
        .add("MQTT max packet size", maxPacketSize + " bytes");
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
        && manualAcks == other.manualAcks
        && Objects.equals(username, other.username)
        && Objects.equals(password, other.password)
        && Objects.equals(caCertificate, other.caCertificate)
        && maxPacketSize == other.maxPacketSize;
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
        manualAcks,
        username,
        caCertificate,
        maxPacketSize);
  }

  /** The broker (masked) and client id: what a log line needs; {@link #describe} has the rest. */
  @Override
  public String toString() {
    return "MqttSettings["
        + Redact.url(url)
        + " as "
        + clientId
        + (username == null ? "" : " user " + username)
        + "]";
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
    private String username;
    private String password;
    private Path caCertificate;
    private int maxPacketSize = DEFAULT_MAX_PACKET_SIZE;

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

    /** Logs in as a principal; null for anonymous. */
    public Builder login(io.citybrain.access.BrokerLogin login) {
      return login == null ? login(null, null) : login(login.username(), login.password());
    }

    /** Logs in with this username and password (both, or both null for anonymous). */
    public Builder login(String username, String password) {
      this.username = username;
      this.password = password;
      return this;
    }

    public Builder caCertificate(Path value) {
      caCertificate = value;
      return this;
    }

    public Builder maxPacketSize(int value) {
      maxPacketSize = value;
      return this;
    }

    /** The settings; fails with an {@link InvalidSettingException} naming the first bad one. */
    public MqttSettings build() {
      return new MqttSettings(this);
    }
  }
}
