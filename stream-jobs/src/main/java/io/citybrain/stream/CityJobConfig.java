package io.citybrain.stream;

import io.citybrain.access.BrokerLogin;
import io.citybrain.ingest.source.MqttSourceConfig;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.settings.InvalidSettingException;
import io.citybrain.stream.dedup.Deduplicate;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the city job can be told: an immutable value with named defaults, built one way
 * ({@link #builder()}; {@link Builder#build()} fails fast with an {@link InvalidSettingException}
 * in domain words, the HikariCP model) and described once at start, the database password masked.
 */
public final class CityJobConfig implements Serializable, Described {
  private static final long serialVersionUID = 4L;
  public static final String DEFAULT_CLIENT_ID_PREFIX = "citybrain-stream";
  public static final int DEFAULT_PARALLELISM = 2;
  public static final int DEFAULT_LANES = 2;
  public static final int DEFAULT_QOS = 1;
  public static final int DEFAULT_RECEIVE_MAXIMUM = 10_000;
  public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofDays(1);
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);
  public static final String DEFAULT_STATE_BACKEND = "hashmap";
  public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(5);
  public static final Duration DEFAULT_IDLENESS = Duration.ofSeconds(30);
  public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofSeconds(30);
  public static final Duration DEFAULT_DEDUP_TTL = Duration.ofHours(1);
  public static final int DEFAULT_MISSED_INTERVALS = 3;
  public static final int DEFAULT_RAW_BATCH_SIZE = 5_000;
  public static final Duration DEFAULT_RAW_FLUSH_INTERVAL = Duration.ofMillis(200);
  public static final Duration DEFAULT_FUTURE_LIMIT = Duration.ofMinutes(5);
  public static final long DEFAULT_MAX_SEQ_JUMP = Deduplicate.DEFAULT_MAX_SEQ_JUMP;
  public static final Duration DEFAULT_DEAD_LETTER_RETENTION = Duration.ofDays(30);

  private final String mqttUrl;
  private final BrokerLogin mqttLogin;
  private final String mqttCaCertificate;
  private final String jdbcUrl;
  private final List<String> districts;
  private final String clientIdPrefix;
  private final int lanes;
  private final int qos;
  private final int receiveMaximum;
  private final Duration sessionExpiry;
  private final int parallelism;
  private final Duration checkpointInterval;
  private final String stateBackend;
  private final String checkpointDir;
  private final Duration outOfOrderness;
  private final Duration idleness;
  private final Duration allowedLateness;
  private final Duration dedupTtl;
  private final int missedIntervals;
  private final int rawBatchSize;
  private final Duration rawFlushInterval;
  private final Duration futureLimit;
  private final long maxSeqJump;
  private final Duration deadLetterRetention;
  private final boolean publishResults;

  private CityJobConfig(Builder b) {
    mqttUrl = b.mqttUrl;
    mqttLogin = b.mqttLogin;
    mqttCaCertificate = b.mqttCaCertificate;
    jdbcUrl = b.jdbcUrl;
    districts = b.districts == null ? null : List.copyOf(b.districts);
    clientIdPrefix = b.clientIdPrefix;
    lanes = b.lanes;
    qos = b.qos;
    receiveMaximum = b.receiveMaximum;
    sessionExpiry = b.sessionExpiry;
    parallelism = b.parallelism;
    checkpointInterval = b.checkpointInterval;
    stateBackend = b.stateBackend;
    checkpointDir = b.checkpointDir;
    outOfOrderness = b.outOfOrderness;
    idleness = b.idleness;
    allowedLateness = b.allowedLateness;
    dedupTtl = b.dedupTtl;
    missedIntervals = b.missedIntervals;
    rawBatchSize = b.rawBatchSize;
    rawFlushInterval = b.rawFlushInterval;
    futureLimit = b.futureLimit;
    maxSeqJump = b.maxSeqJump;
    deadLetterRetention = b.deadLetterRetention;
    publishResults = b.publishResults;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to derive a variant. */
  public Builder toBuilder() {
    return new Builder()
        .mqttUrl(mqttUrl)
        .mqttLogin(mqttLogin)
        .mqttCaCertificate(mqttCaCertificate == null ? null : Path.of(mqttCaCertificate))
        .jdbcUrl(jdbcUrl)
        .districts(districts)
        .clientIdPrefix(clientIdPrefix)
        .lanes(lanes)
        .qos(qos)
        .receiveMaximum(receiveMaximum)
        .sessionExpiry(sessionExpiry)
        .parallelism(parallelism)
        .checkpointInterval(checkpointInterval)
        .stateBackend(stateBackend)
        .checkpointDir(checkpointDir)
        .outOfOrderness(outOfOrderness)
        .idleness(idleness)
        .allowedLateness(allowedLateness)
        .dedupTtl(dedupTtl)
        .missedIntervals(missedIntervals)
        .rawBatchSize(rawBatchSize)
        .rawFlushInterval(rawFlushInterval)
        .futureLimit(futureLimit)
        .maxSeqJump(maxSeqJump)
        .deadLetterRetention(deadLetterRetention)
        .publishResults(publishResults);
  }

  /** Checks every setting; the message names the setting and the value. */
  private CityJobConfig validate() {
    Check.mqttUrl(Check.required(mqttUrl, "broker URL", "tcp://127.0.0.1:1883"), "broker URL");
    Check.require(
        mqttLogin != null, "broker login", "is missing: the broker refuses anonymous clients");
    // The connections' own checks (a CA file only for ssl://, readable), before any task starts.
    MqttSettings.builder(mqttUrl, clientIdPrefix)
        .login(mqttLogin)
        .caCertificate(mqttCaCertificate == null ? null : Path.of(mqttCaCertificate))
        .build();
    Check.jdbcUrl(
        Check.required(
            jdbcUrl, "database URL", "jdbc:postgresql://127.0.0.1:5432/citybrain?user=citybrain"),
        "database URL");
    Check.require(
        districts != null && !districts.isEmpty(), "districts", "must name at least one district");
    Check.required(clientIdPrefix, "client id prefix", DEFAULT_CLIENT_ID_PREFIX);
    Check.atLeast(parallelism, 1, "parallelism");
    Check.positive(checkpointInterval, "checkpoint interval");
    Check.require(
        "hashmap".equals(stateBackend) || "rocksdb".equals(stateBackend),
        "state backend",
        "must be hashmap or rocksdb, was " + stateBackend);
    Check.notNegative(outOfOrderness, "out-of-orderness");
    Check.positive(idleness, "idleness");
    Check.notNegative(allowedLateness, "allowed lateness");
    Check.positive(dedupTtl, "dedup TTL");
    Check.atLeast(missedIntervals, 1, "missed intervals");
    Check.atLeast(rawBatchSize, 1, "raw batch size");
    Check.positive(rawFlushInterval, "raw flush interval");
    Check.positive(futureLimit, "future limit");
    Check.require(maxSeqJump >= 1, "maximum seq jump", "must be at least 1, was " + maxSeqJump);
    Check.positive(deadLetterRetention, "dead letter retention");
    // The source's own checks: lanes, qos, receive maximum, session expiry.
    source();
    return this;
  }

  /**
   * The MQTT source's configuration: disjoint lanes over one filter per district and telemetry
   * class.
   */
  public MqttSourceConfig source() {
    List<String> filters = new ArrayList<>();
    for (MessageClass cls : MessageClass.TELEMETRY) {
      for (String d : districts) {
        filters.add(Topics.filter(cls, d));
      }
    }
    return new MqttSourceConfig(
        mqttUrl,
        mqttLogin,
        mqttCaCertificate,
        filters,
        clientIdPrefix,
        lanes,
        qos,
        receiveMaximum,
        sessionExpiry,
        Math.max(receiveMaximum, 1_000),
        false);
  }

  @Override
  public Description describe() {
    return new Description("stream job")
        .url("broker URL", mqttUrl)
        .add("broker login", mqttLogin.username())
        .add(
            "broker CA certificate",
            mqttCaCertificate == null ? "(JVM default)" : mqttCaCertificate)
        .url("database URL", jdbcUrl)
        .add("districts", String.join(", ", districts))
        .add("client id prefix", clientIdPrefix)
        .add("lanes", lanes)
        .add("qos", qos)
        .add("receive maximum", receiveMaximum)
        .add("session expiry", sessionExpiry)
        .add("parallelism", parallelism)
        .add("checkpoint interval", checkpointInterval)
        .add("state backend", stateBackend)
        .add("checkpoint directory", checkpointDir == null ? "(JobManager memory)" : checkpointDir)
        .add("out-of-orderness", outOfOrderness)
        .add("idleness", idleness)
        .add("allowed lateness", allowedLateness)
        .add("dedup TTL", dedupTtl)
        .add("missed intervals", missedIntervals)
        .add("raw batch size", rawBatchSize)
        .add("raw flush interval", rawFlushInterval)
        .add("future limit", futureLimit)
        .add("maximum seq jump", maxSeqJump)
        .add("dead letter retention", deadLetterRetention)
        .add("publish results", publishResults);
  }

  @Override
  public String toString() {
    return describe().toString();
  }

  public String mqttUrl() {
    return mqttUrl;
  }

  /** Every connection of the job (lanes, result publishers) logs in as this. */
  public BrokerLogin mqttLogin() {
    return mqttLogin;
  }

  /**
   * The PEM file of the CA of an {@code ssl://} broker, as a string (serializable); null trusts the
   * JVM's CAs.
   */
  public String mqttCaCertificate() {
    return mqttCaCertificate;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** District codes whose telemetry the job reads: one filter per district and class. */
  public List<String> districts() {
    return districts;
  }

  public String clientIdPrefix() {
    return clientIdPrefix;
  }

  public int lanes() {
    return lanes;
  }

  public int qos() {
    return qos;
  }

  public int receiveMaximum() {
    return receiveMaximum;
  }

  public Duration sessionExpiry() {
    return sessionExpiry;
  }

  public int parallelism() {
    return parallelism;
  }

  public Duration checkpointInterval() {
    return checkpointInterval;
  }

  /**
   * hashmap (on the heap) or rocksdb (on disk; needs Flink's RocksDB state backend on the
   * classpath).
   */
  public String stateBackend() {
    return stateBackend;
  }

  /**
   * Where checkpoints go (a URI such as file:///var/flink/checkpoints); null keeps them in the
   * JobManager's memory.
   */
  public String checkpointDir() {
    return checkpointDir;
  }

  public Duration outOfOrderness() {
    return outOfOrderness;
  }

  public Duration idleness() {
    return idleness;
  }

  public Duration allowedLateness() {
    return allowedLateness;
  }

  public Duration dedupTtl() {
    return dedupTtl;
  }

  /** A device is offline after this many of its reporting intervals without a message. */
  public int missedIntervals() {
    return missedIntervals;
  }

  public int rawBatchSize() {
    return rawBatchSize;
  }

  public Duration rawFlushInterval() {
    return rawFlushInterval;
  }

  public Duration futureLimit() {
    return futureLimit;
  }

  /** How far above a device's highest seq the next may be before it is a dead letter. */
  public long maxSeqJump() {
    return maxSeqJump;
  }

  /**
   * Dead letters older than this are deleted (hourly, by the raw sink), on plain PostgreSQL too.
   */
  public Duration deadLetterRetention() {
    return deadLetterRetention;
  }

  /** Publish snapshots, the city summary, alerts and incidents to their MQTT topics. */
  public boolean publishResults() {
    return publishResults;
  }

  /** Collects settings over the defaults; {@link #build()} validates them once. */
  public static final class Builder {
    private String mqttUrl;
    private BrokerLogin mqttLogin;
    private String mqttCaCertificate;
    private String jdbcUrl;
    private List<String> districts = List.of();
    private String clientIdPrefix = DEFAULT_CLIENT_ID_PREFIX;
    private int lanes = DEFAULT_LANES;
    private int qos = DEFAULT_QOS;
    private int receiveMaximum = DEFAULT_RECEIVE_MAXIMUM;
    private Duration sessionExpiry = DEFAULT_SESSION_EXPIRY;
    private int parallelism = DEFAULT_PARALLELISM;
    private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
    private String stateBackend = DEFAULT_STATE_BACKEND;
    private String checkpointDir;
    private Duration outOfOrderness = DEFAULT_OUT_OF_ORDERNESS;
    private Duration idleness = DEFAULT_IDLENESS;
    private Duration allowedLateness = DEFAULT_ALLOWED_LATENESS;
    private Duration dedupTtl = DEFAULT_DEDUP_TTL;
    private int missedIntervals = DEFAULT_MISSED_INTERVALS;
    private int rawBatchSize = DEFAULT_RAW_BATCH_SIZE;
    private Duration rawFlushInterval = DEFAULT_RAW_FLUSH_INTERVAL;
    private Duration futureLimit = DEFAULT_FUTURE_LIMIT;
    private long maxSeqJump = DEFAULT_MAX_SEQ_JUMP;
    private Duration deadLetterRetention = DEFAULT_DEAD_LETTER_RETENTION;
    private boolean publishResults = true;

    private Builder() {}

    /** The validated configuration; throws {@link InvalidSettingException} naming the setting. */
    public CityJobConfig build() {
      return new CityJobConfig(this).validate();
    }

    public Builder mqttUrl(String url) {
      this.mqttUrl = url;
      return this;
    }

    /**
     * The job's login ({@code Principal.job()}): required, the brokers refuse anonymous clients.
     */
    public Builder mqttLogin(BrokerLogin login) {
      this.mqttLogin = login;
      return this;
    }

    /** The CA of an {@code ssl://} broker; null for the JVM's CAs. */
    public Builder mqttCaCertificate(Path pem) {
      this.mqttCaCertificate = pem == null ? null : pem.toString();
      return this;
    }

    public Builder jdbcUrl(String url) {
      this.jdbcUrl = url;
      return this;
    }

    public Builder districts(List<String> codes) {
      this.districts = codes;
      return this;
    }

    public Builder clientIdPrefix(String prefix) {
      this.clientIdPrefix = prefix;
      return this;
    }

    public Builder lanes(int lanes) {
      this.lanes = lanes;
      return this;
    }

    public Builder qos(int qos) {
      this.qos = qos;
      return this;
    }

    public Builder receiveMaximum(int receiveMaximum) {
      this.receiveMaximum = receiveMaximum;
      return this;
    }

    public Builder sessionExpiry(Duration sessionExpiry) {
      this.sessionExpiry = sessionExpiry;
      return this;
    }

    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism;
      return this;
    }

    public Builder checkpointInterval(Duration interval) {
      this.checkpointInterval = interval;
      return this;
    }

    public Builder stateBackend(String stateBackend) {
      this.stateBackend = stateBackend;
      return this;
    }

    public Builder checkpointDir(String uri) {
      this.checkpointDir = uri;
      return this;
    }

    public Builder outOfOrderness(Duration bound) {
      this.outOfOrderness = bound;
      return this;
    }

    public Builder idleness(Duration idleness) {
      this.idleness = idleness;
      return this;
    }

    public Builder allowedLateness(Duration lateness) {
      this.allowedLateness = lateness;
      return this;
    }

    public Builder dedupTtl(Duration ttl) {
      this.dedupTtl = ttl;
      return this;
    }

    public Builder missedIntervals(int intervals) {
      this.missedIntervals = intervals;
      return this;
    }

    public Builder rawBatchSize(int rows) {
      this.rawBatchSize = rows;
      return this;
    }

    public Builder rawFlushInterval(Duration interval) {
      this.rawFlushInterval = interval;
      return this;
    }

    public Builder futureLimit(Duration limit) {
      this.futureLimit = limit;
      return this;
    }

    public Builder maxSeqJump(long seqs) {
      this.maxSeqJump = seqs;
      return this;
    }

    public Builder deadLetterRetention(Duration retention) {
      this.deadLetterRetention = retention;
      return this;
    }

    public Builder publishResults(boolean publish) {
      this.publishResults = publish;
      return this;
    }
  }
}
