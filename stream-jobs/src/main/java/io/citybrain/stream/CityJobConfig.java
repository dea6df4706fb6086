package io.citybrain.stream;

import io.citybrain.ingest.source.MqttSourceConfig;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the city job can be told, with named defaults; {@link #validate()} fails fast with an
 * exact message (the HikariCP model). Set once, before the job graph is built.
 */
public final class CityJobConfig implements Serializable {
  private static final long serialVersionUID = 1L;
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

  public String brokerUrl;
  public String jdbcUrl;

  /** District codes whose telemetry the job reads: one filter per district and class. */
  public List<String> districts = List.of();

  public String clientIdPrefix = DEFAULT_CLIENT_ID_PREFIX;
  public int lanes = DEFAULT_LANES;
  public int qos = DEFAULT_QOS;
  public int receiveMaximum = DEFAULT_RECEIVE_MAXIMUM;
  public Duration sessionExpiry = DEFAULT_SESSION_EXPIRY;
  public int parallelism = DEFAULT_PARALLELISM;
  public Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;

  /**
   * hashmap (on the heap) or rocksdb (on disk; needs Flink's RocksDB state backend on the
   * classpath).
   */
  public String stateBackend = DEFAULT_STATE_BACKEND;

  /**
   * Where checkpoints go (a URI such as file:///var/flink/checkpoints); null keeps them in the
   * JobManager's memory.
   */
  public String checkpointDir;

  public Duration outOfOrderness = DEFAULT_OUT_OF_ORDERNESS;
  public Duration idleness = DEFAULT_IDLENESS;
  public Duration allowedLateness = DEFAULT_ALLOWED_LATENESS;
  public Duration dedupTtl = DEFAULT_DEDUP_TTL;

  /** A device is offline after this many of its reporting intervals without a message. */
  public int missedIntervals = DEFAULT_MISSED_INTERVALS;

  public int rawBatchSize = DEFAULT_RAW_BATCH_SIZE;
  public Duration rawFlushInterval = DEFAULT_RAW_FLUSH_INTERVAL;
  public Duration futureLimit = DEFAULT_FUTURE_LIMIT;

  /** Publish snapshots, alerts and incidents to their MQTT topics (off: database only). */
  public boolean publishResults = true;

  /** Checks every setting; the message names the setting and the value. */
  public CityJobConfig validate() {
    require(brokerUrl != null && !brokerUrl.isBlank(), "broker URL is required (--broker)");
    require(
        brokerUrl.startsWith("tcp://") || brokerUrl.startsWith("ssl://"),
        "broker URL must start with tcp:// or ssl://, was " + brokerUrl);
    require(
        jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:"),
        "database URL must be a jdbc:postgresql: URL (--db-url), was " + jdbcUrl);
    require(!districts.isEmpty(), "at least one district is required");
    require(parallelism >= 1, "parallelism must be at least 1, was " + parallelism);
    require(lanes >= 1, "lanes must be at least 1, was " + lanes);
    require(qos == 0 || qos == 1, "qos must be 0 or 1, was " + qos);
    require(
        positive(checkpointInterval),
        "checkpoint interval must be positive, was " + checkpointInterval);
    require(
        "hashmap".equals(stateBackend) || "rocksdb".equals(stateBackend),
        "state backend must be hashmap or rocksdb, was " + stateBackend);
    require(
        outOfOrderness != null && !outOfOrderness.isNegative(),
        "out-of-orderness must not be negative, was " + outOfOrderness);
    require(positive(idleness), "idleness must be positive, was " + idleness);
    require(
        allowedLateness != null && !allowedLateness.isNegative(),
        "allowed lateness must not be negative, was " + allowedLateness);
    require(positive(dedupTtl), "dedup TTL must be positive, was " + dedupTtl);
    require(missedIntervals >= 1, "missed intervals must be at least 1, was " + missedIntervals);
    require(rawBatchSize >= 1, "raw batch size must be at least 1, was " + rawBatchSize);
    require(
        positive(rawFlushInterval), "raw flush interval must be positive, was " + rawFlushInterval);
    require(positive(futureLimit), "future limit must be positive, was " + futureLimit);
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
    try {
      return new MqttSourceConfig(
          brokerUrl,
          filters,
          clientIdPrefix,
          lanes,
          qos,
          receiveMaximum,
          sessionExpiry,
          Math.max(receiveMaximum, 1_000),
          false);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid MQTT source settings: " + e.getMessage(), e);
    }
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  @Override
  public String toString() {
    return "broker "
        + brokerUrl
        + ", database "
        + Objects.toString(jdbcUrl).replaceAll("password=[^&]*", "password=***")
        + ", parallelism "
        + parallelism
        + ", checkpoints every "
        + checkpointInterval
        + " ("
        + stateBackend
        + ")";
  }
}
