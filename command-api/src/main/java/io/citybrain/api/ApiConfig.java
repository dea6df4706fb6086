package io.citybrain.api;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.SeedLoader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the Command API needs, with named defaults; {@link #validate()} fails fast with exact
 * messages (HikariCP's model), and {@link CommandApi#start} seals the configuration so it cannot
 * change while running.
 */
public final class ApiConfig {
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_DB_POOL_SIZE = 8;

  /** Tokens last one working shift. */
  public static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(8);

  /** bcrypt cost 12: about a quarter of a second per hash on a laptop core, OWASP's floor is 10. */
  public static final int DEFAULT_PASSWORD_COST = 12;

  public static final int MIN_JWT_SECRET_BYTES = 32;
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(15);
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(500);
  public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(10);

  /**
   * Events (alerts, incidents, progress, cases) one WebSocket client may have waiting; snapshots
   * are extra, one per district.
   */
  public static final int DEFAULT_LIVE_QUEUE_LIMIT = 256;

  /** Bytes Netty may hold for one WebSocket before the client counts as slow. */
  public static final int DEFAULT_LIVE_WRITE_QUEUE_BYTES = 64 * 1024;

  public static final Duration DEFAULT_CASE_POLL_INTERVAL = Duration.ofSeconds(2);

  /**
   * Detections of one type this close in time and space are one case (a parked car seen by the
   * hour).
   */
  public static final Duration DEFAULT_CASE_MERGE_WINDOW = Duration.ofMinutes(30);

  public static final double DEFAULT_CASE_MERGE_DISTANCE_M = 50;
  public static final double DEFAULT_CASE_MIN_CONFIDENCE = 0.5;
  public static final String DEFAULT_CLIENT_ID_PREFIX = "citybrain-api";

  /**
   * How long the summary's database part is reused: the stream job's windows are 10 s, and a wall
   * of many screens polling it would otherwise run the same queries for each; ZERO disables.
   */
  public static final Duration DEFAULT_SUMMARY_CACHE = Duration.ofSeconds(1);

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private String jdbcUrl;
  private String mqttUrl;
  private int dbPoolSize = DEFAULT_DB_POOL_SIZE;
  private String jwtSecret;
  private Path jwtKeyFile;
  private Duration tokenTtl = DEFAULT_TOKEN_TTL;
  private int passwordCost = DEFAULT_PASSWORD_COST;
  private Duration ackTimeout = DEFAULT_ACK_TIMEOUT;
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
  private Duration retryBackoffMax = DEFAULT_RETRY_BACKOFF_MAX;
  private int liveQueueLimit = DEFAULT_LIVE_QUEUE_LIMIT;
  private int liveWriteQueueBytes = DEFAULT_LIVE_WRITE_QUEUE_BYTES;
  private Duration casePollInterval = DEFAULT_CASE_POLL_INTERVAL;
  private Duration caseMergeWindow = DEFAULT_CASE_MERGE_WINDOW;
  private double caseMergeDistanceM = DEFAULT_CASE_MERGE_DISTANCE_M;
  private double caseMinConfidence = DEFAULT_CASE_MIN_CONFIDENCE;
  private String clientIdPrefix = DEFAULT_CLIENT_ID_PREFIX;
  private Duration summaryCache = DEFAULT_SUMMARY_CACHE;
  private boolean migrate = true;
  private CitySeeds seeds;
  private volatile boolean sealed;

  /** Fails with the first problem found, in the words an operator needs to fix it. */
  public ApiConfig validate() {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("api host is required (e.g. 0.0.0.0)");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          "api port must be within 0..65535 (0 picks a free port), was " + port);
    }
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "api jdbcUrl must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was "
              + (jdbcUrl == null ? "not set" : "'" + jdbcUrl + "'"));
    }
    if (mqttUrl == null || !mqttUrl.matches("(tcp|ssl)://[^/:]+:\\d+")) {
      throw new IllegalArgumentException(
          "api mqttUrl must look like tcp://host:port, was "
              + (mqttUrl == null ? "not set" : "'" + mqttUrl + "'"));
    }
    URI.create(mqttUrl);
    if (dbPoolSize < 1 || dbPoolSize > 64) {
      throw new IllegalArgumentException("api dbPoolSize must be within 1..64, was " + dbPoolSize);
    }
    if (jwtSecret != null
        && jwtSecret.getBytes(StandardCharsets.UTF_8).length < MIN_JWT_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "api jwtSecret must be at least "
              + MIN_JWT_SECRET_BYTES
              + " bytes (HS256 needs a 256-bit key); leave it unset to generate one per installation");
    }
    if (jwtSecret != null && jwtKeyFile != null) {
      throw new IllegalArgumentException(
          "api jwtSecret and jwtKeyFile are exclusive: configure one");
    }
    positive("tokenTtl", tokenTtl);
    if (passwordCost < 4 || passwordCost > 31) {
      throw new IllegalArgumentException(
          "api passwordCost (bcrypt) must be within 4..31, was " + passwordCost);
    }
    positive("ackTimeout", ackTimeout);
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new IllegalArgumentException(
          "api maxAttempts must be within 1..10, was " + maxAttempts);
    }
    positive("retryBackoff", retryBackoff);
    positive("retryBackoffMax", retryBackoffMax);
    if (retryBackoffMax.compareTo(retryBackoff) < 0) {
      throw new IllegalArgumentException(
          "api retryBackoffMax ("
              + retryBackoffMax
              + ") must not be below retryBackoff ("
              + retryBackoff
              + ")");
    }
    if (liveQueueLimit < 1 || liveQueueLimit > 100_000) {
      throw new IllegalArgumentException(
          "api liveQueueLimit must be within 1..100000, was " + liveQueueLimit);
    }
    if (liveWriteQueueBytes < 1024) {
      throw new IllegalArgumentException(
          "api liveWriteQueueBytes must be at least 1024, was " + liveWriteQueueBytes);
    }
    positive("casePollInterval", casePollInterval);
    positive("caseMergeWindow", caseMergeWindow);
    if (!(caseMergeDistanceM > 0)) {
      throw new IllegalArgumentException(
          "api caseMergeDistanceM must be positive, was " + caseMergeDistanceM);
    }
    if (!(caseMinConfidence >= 0 && caseMinConfidence <= 1)) {
      throw new IllegalArgumentException(
          "api caseMinConfidence must be within 0..1, was " + caseMinConfidence);
    }
    if (summaryCache == null || summaryCache.isNegative()) {
      throw new IllegalArgumentException(
          "api summaryCache must be zero or a positive duration, was " + summaryCache);
    }
    if (clientIdPrefix == null || !clientIdPrefix.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException(
          "api clientIdPrefix must be 1-64 letters, digits, '-' or '_', was '"
              + clientIdPrefix
              + "'");
    }
    return this;
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(
          "api " + name + " must be a positive duration, was " + value);
    }
  }

  void seal() {
    sealed = true;
  }

  private void check() {
    if (sealed) {
      throw new IllegalStateException(
          "the API configuration cannot change once the API has started");
    }
  }

  public ApiConfig host(String value) {
    check();
    host = value;
    return this;
  }

  public ApiConfig port(int value) {
    check();
    port = value;
    return this;
  }

  public ApiConfig jdbcUrl(String value) {
    check();
    jdbcUrl = value;
    return this;
  }

  public ApiConfig mqttUrl(String value) {
    check();
    mqttUrl = value;
    return this;
  }

  public ApiConfig dbPoolSize(int value) {
    check();
    dbPoolSize = value;
    return this;
  }

  /** The HS256 signing secret; unset (and no key file) generates one per process. */
  public ApiConfig jwtSecret(String value) {
    check();
    jwtSecret = value;
    return this;
  }

  /**
   * A file holding the signing secret; created with a fresh random secret (owner-only) when it does
   * not exist.
   */
  public ApiConfig jwtKeyFile(Path value) {
    check();
    jwtKeyFile = value;
    return this;
  }

  public ApiConfig tokenTtl(Duration value) {
    check();
    tokenTtl = value;
    return this;
  }

  public ApiConfig passwordCost(int value) {
    check();
    passwordCost = value;
    return this;
  }

  public ApiConfig ackTimeout(Duration value) {
    check();
    ackTimeout = value;
    return this;
  }

  public ApiConfig maxAttempts(int value) {
    check();
    maxAttempts = value;
    return this;
  }

  public ApiConfig retryBackoff(Duration value) {
    check();
    retryBackoff = value;
    return this;
  }

  public ApiConfig retryBackoffMax(Duration value) {
    check();
    retryBackoffMax = value;
    return this;
  }

  public ApiConfig liveQueueLimit(int value) {
    check();
    liveQueueLimit = value;
    return this;
  }

  public ApiConfig liveWriteQueueBytes(int value) {
    check();
    liveWriteQueueBytes = value;
    return this;
  }

  public ApiConfig casePollInterval(Duration value) {
    check();
    casePollInterval = value;
    return this;
  }

  public ApiConfig caseMergeWindow(Duration value) {
    check();
    caseMergeWindow = value;
    return this;
  }

  public ApiConfig caseMergeDistanceM(double value) {
    check();
    caseMergeDistanceM = value;
    return this;
  }

  public ApiConfig caseMinConfidence(double value) {
    check();
    caseMinConfidence = value;
    return this;
  }

  public ApiConfig summaryCache(Duration value) {
    check();
    summaryCache = value;
    return this;
  }

  public Duration summaryCache() {
    return summaryCache;
  }

  public ApiConfig clientIdPrefix(String value) {
    check();
    clientIdPrefix = value;
    return this;
  }

  /**
   * Whether start applies the Flyway migrations first (default true); false expects an up-to-date
   * schema.
   */
  public ApiConfig migrate(boolean value) {
    check();
    migrate = value;
    return this;
  }

  /** The city's seeds; unset loads the bundled ones. */
  public ApiConfig seeds(CitySeeds value) {
    check();
    seeds = value;
    return this;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String mqttUrl() {
    return mqttUrl;
  }

  public int dbPoolSize() {
    return dbPoolSize;
  }

  public String jwtSecret() {
    return jwtSecret;
  }

  public Path jwtKeyFile() {
    return jwtKeyFile;
  }

  public Duration tokenTtl() {
    return tokenTtl;
  }

  public int passwordCost() {
    return passwordCost;
  }

  public Duration ackTimeout() {
    return ackTimeout;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration retryBackoff() {
    return retryBackoff;
  }

  public Duration retryBackoffMax() {
    return retryBackoffMax;
  }

  public int liveQueueLimit() {
    return liveQueueLimit;
  }

  public int liveWriteQueueBytes() {
    return liveWriteQueueBytes;
  }

  public Duration casePollInterval() {
    return casePollInterval;
  }

  public Duration caseMergeWindow() {
    return caseMergeWindow;
  }

  public double caseMergeDistanceM() {
    return caseMergeDistanceM;
  }

  public double caseMinConfidence() {
    return caseMinConfidence;
  }

  public String clientIdPrefix() {
    return clientIdPrefix;
  }

  public boolean migrate() {
    return migrate;
  }

  /** The configured seeds, loading the bundled ones on first use when none were set. */
  public synchronized CitySeeds seeds() {
    if (seeds == null) {
      seeds = SeedLoader.load();
    }
    return seeds;
  }
}
