package io.citybrain.api;

import io.citybrain.access.BrokerLogin;
import io.citybrain.api.notify.WebhookSettings;
import io.citybrain.api.ops.HealthSettings;
import io.citybrain.api.ops.RiskSettings;
import io.citybrain.api.response.CommandKeys;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.settings.InvalidSettingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything the Command API runs with: an immutable value made by {@link #builder()}, whose {@link
 * Builder#build()} fails fast with an {@link InvalidSettingException} in domain words (HikariCP's
 * model), and which {@link #describe() describes} itself with its secrets masked.
 */
public final class ApiConfig implements Described {
  /**
   * This machine only: listening on every interface is a choice (--host 0.0.0.0), not a default.
   */
  public static final String DEFAULT_HOST = "127.0.0.1";

  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_DB_POOL_SIZE = 8;

  /** Tokens last one working shift. */
  public static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(8);

  /** bcrypt cost 12: about a quarter of a second per hash on a laptop core, OWASP's floor is 10. */
  public static final int DEFAULT_PASSWORD_COST = 12;

  public static final int MIN_JWT_SECRET_BYTES = 32;
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(15);
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** Plan triggers one caller may start per minute (a stuck button, a script gone wrong). */
  public static final int DEFAULT_TRIGGERS_PER_CALLER = 10;

  /** Plan triggers one district may see started per minute, whoever asks. */
  public static final int DEFAULT_TRIGGERS_PER_DISTRICT = 20;

  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(500);
  public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(10);

  /**
   * Events (alerts, incidents, progress, cases) one WebSocket client may have waiting; snapshots
   * are extra, one per district.
   */
  public static final int DEFAULT_LIVE_QUEUE_LIMIT = 256;

  /** Bytes Netty may hold for one WebSocket before the client counts as slow. */
  public static final int DEFAULT_LIVE_WRITE_QUEUE_BYTES = 64 * 1024;

  /** Live WebSockets one user may hold at once (a wall per screen, a few tabs). */
  public static final int DEFAULT_LIVE_CONNECTIONS_PER_USER = 8;

  /**
   * How often open sockets' tokens are checked against their users' token versions: the backstop
   * for a change made through another API instance (this one's own changes close them at once).
   */
  public static final Duration DEFAULT_LIVE_REVOCATION_CHECK = Duration.ofSeconds(30);

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

  /**
   * How far ahead of this clock a live snapshot may be dated: the job takes readings up to 5
   * minutes ahead (its future limit), so a window can end that far and 10 s more ahead; beyond is a
   * forgery or a broken clock.
   */
  public static final Duration DEFAULT_LIVE_CLOCK_SKEW = Duration.ofMinutes(6);

  /** How often the leader lease is tried (standby) or checked (leader), and stored work polled. */
  public static final Duration DEFAULT_LEADER_POLL = Duration.ofSeconds(1);

  /**
   * How often the leader scans for alerts to escalate or resolve for no data, assignees to remind
   * and overdue tasks and cases; the shortest deadline in the shipped seeds is 5 minutes.
   */
  public static final Duration DEFAULT_ESCALATION_SCAN = Duration.ofSeconds(30);

  /** A request waits this long for a database connection, then is answered 503. */
  public static final Duration DEFAULT_DB_CONNECTION_TIMEOUT = Duration.ofSeconds(3);

  // The settings' names in messages and in the description; a command line restates its own.
  static final String HOST = "listen address";
  static final String PORT = "HTTP port";
  static final String DATABASE_URL = "database URL";
  static final String MQTT_URL = "MQTT URL";
  static final String MQTT_LOGIN = "MQTT login";
  static final String JWT_KEY_FILE = "JWT key file";
  static final String SUMMARY_CACHE = "summary cache";
  static final String LIVE_CLOCK_SKEW = "live clock skew";
  static final String LEADER_POLL = "leader poll";
  static final String ESCALATION_SCAN = "escalation scan";
  static final String DB_CONNECTION_TIMEOUT = "database connection timeout";
  static final String ACK_TIMEOUT = "ack timeout";
  static final String MAX_ATTEMPTS = "attempts per command";
  static final String TRIGGERS_PER_CALLER = "plan triggers per caller per minute";
  static final String TRIGGERS_PER_DISTRICT = "plan triggers per district per minute";

  private final String host;
  private final int port;
  private final String jdbcUrl;
  private final String mqttUrl;
  private final BrokerLogin mqttLogin;
  private final Path mqttCaCertificate;
  private final int dbPoolSize;
  private final String jwtSecret;
  private final Path jwtKeyFile;
  private final Duration tokenTtl;
  private final int passwordCost;
  private final CommandKeys commandKeys;
  private final Duration ackTimeout;
  private final int maxAttempts;
  private final int triggersPerCaller;
  private final int triggersPerDistrict;
  private final Duration retryBackoff;
  private final Duration retryBackoffMax;
  private final int liveQueueLimit;
  private final int liveWriteQueueBytes;
  private final int liveConnectionsPerUser;
  private final Duration liveRevocationCheck;
  private final Duration casePollInterval;
  private final Duration caseMergeWindow;
  private final double caseMergeDistanceM;
  private final double caseMinConfidence;
  private final String clientIdPrefix;
  private final Duration summaryCache;
  private final Duration liveClockSkew;
  private final HealthSettings health;
  private final RiskSettings risk;
  private final WebhookSettings webhooks;
  private final boolean migrate;
  private final Duration leaderPoll;
  private final Duration escalationScan;
  private final Duration dbConnectionTimeout;
  private final CitySeeds seeds;

  private ApiConfig(Builder b) {
    host = b.host;
    port = b.port;
    jdbcUrl = b.jdbcUrl;
    mqttUrl = b.mqttUrl;
    mqttLogin = b.mqttLogin;
    mqttCaCertificate = b.mqttCaCertificate;
    dbPoolSize = b.dbPoolSize;
    jwtSecret = b.jwtSecret;
    jwtKeyFile = b.jwtKeyFile;
    tokenTtl = b.tokenTtl;
    passwordCost = b.passwordCost;
    ackTimeout = b.ackTimeout;
    commandKeys = b.commandKeys;
    maxAttempts = b.maxAttempts;
    triggersPerCaller = b.triggersPerCaller;
    triggersPerDistrict = b.triggersPerDistrict;
    retryBackoff = b.retryBackoff;
    retryBackoffMax = b.retryBackoffMax;
    liveQueueLimit = b.liveQueueLimit;
    liveWriteQueueBytes = b.liveWriteQueueBytes;
    liveConnectionsPerUser = b.liveConnectionsPerUser;
    liveRevocationCheck = b.liveRevocationCheck;
    casePollInterval = b.casePollInterval;
    caseMergeWindow = b.caseMergeWindow;
    caseMergeDistanceM = b.caseMergeDistanceM;
    caseMinConfidence = b.caseMinConfidence;
    clientIdPrefix = b.clientIdPrefix;
    summaryCache = b.summaryCache;
    liveClockSkew = b.liveClockSkew;
    health = Objects.requireNonNull(b.health, "health");
    risk = Objects.requireNonNull(b.risk, "risk");
    webhooks = Objects.requireNonNull(b.webhooks, "webhooks");
    migrate = b.migrate;
    leaderPoll = b.leaderPoll;
    escalationScan = b.escalationScan;
    dbConnectionTimeout = b.dbConnectionTimeout;
    seeds = b.seeds;
  }

  /** A builder with every default; {@code build()} needs at least the database and MQTT URLs. */
  public static Builder builder() {
    return new Builder();
  }

  /** Fails with the first problem found, in the words an operator needs to fix it. */
  private void validate() {
    Check.required(host, HOST, DEFAULT_HOST);
    Check.require(
        port >= 0 && port <= 65_535,
        PORT,
        "must be within 0..65535 (0 picks a free port), was " + port);
    Check.jdbcUrl(jdbcUrl, DATABASE_URL);
    Check.mqttUrl(mqttUrl, MQTT_URL);
    Check.require(
        mqttLogin != null, MQTT_LOGIN, "is missing: the broker refuses anonymous clients");
    // The connection's own checks (a CA file only for ssl://, readable) before anything starts.
    mqttSettings();
    Check.within(dbPoolSize, 1, 64, "database pool size");
    Check.require(
        dbConnectionTimeout != null && dbConnectionTimeout.toMillis() >= 250,
        DB_CONNECTION_TIMEOUT,
        "must be at least 250 ms, was "
            + (dbConnectionTimeout == null ? "not set" : dbConnectionTimeout.toMillis() + " ms"));
    Check.positive(leaderPoll, LEADER_POLL);
    Check.require(
        escalationScan != null
            && (escalationScan.isZero()
                || (escalationScan.toMillis() >= 100 && escalationScan.toMinutes() <= 5)),
        ESCALATION_SCAN,
        "must be within 100 ms..5 min (0 turns it off), was "
            + (escalationScan == null ? "not set" : escalationScan.toMillis() + " ms"));
    Check.require(
        jwtSecret == null
            || jwtSecret.getBytes(StandardCharsets.UTF_8).length >= MIN_JWT_SECRET_BYTES,
        "JWT secret",
        "must be at least "
            + MIN_JWT_SECRET_BYTES
            + " bytes (HS256 needs a 256-bit key); leave it unset to generate one per installation");
    Check.require(
        jwtSecret == null || jwtKeyFile == null,
        "JWT secret",
        "and the " + JWT_KEY_FILE + " are exclusive: configure one");
    Check.positive(tokenTtl, "token lifetime");
    Check.within(passwordCost, 4, 31, "bcrypt cost");
    Check.positive(ackTimeout, ACK_TIMEOUT);
    if (commandKeys == null) {
      throw new InvalidSettingException(
          "credentials",
          "are required: the API signs every command and verifies every ack with the"
              + " installation's keys; give --credentials DIR (citybrain provision --out DIR makes"
              + " one)");
    }
    Check.within(maxAttempts, 1, 10, MAX_ATTEMPTS);
    Check.within(triggersPerCaller, 1, 10_000, TRIGGERS_PER_CALLER);
    Check.within(triggersPerDistrict, 1, 10_000, TRIGGERS_PER_DISTRICT);
    Check.positive(retryBackoff, "retry backoff");
    Check.positive(retryBackoffMax, "longest retry backoff");
    Check.require(
        retryBackoffMax.compareTo(retryBackoff) >= 0,
        "longest retry backoff",
        "must not be below the retry backoff (" + retryBackoff + "), was " + retryBackoffMax);
    Check.within(liveQueueLimit, 1, 100_000, "live queue limit");
    Check.atLeast(liveWriteQueueBytes, 1024, "live write queue bytes");
    Check.within(liveConnectionsPerUser, 1, 10_000, "live connections per user");
    Check.positive(liveRevocationCheck, "live revocation check");
    Check.positive(casePollInterval, "case poll interval");
    Check.positive(caseMergeWindow, "case merge window");
    Check.require(
        caseMergeDistanceM > 0,
        "case merge distance (m)",
        "must be positive, was " + caseMergeDistanceM);
    Check.within(caseMinConfidence, 0, 1, "case minimum confidence");
    Check.notNegative(summaryCache, SUMMARY_CACHE);
    Check.positive(liveClockSkew, LIVE_CLOCK_SKEW);
    Check.require(
        clientIdPrefix != null && clientIdPrefix.matches("[A-Za-z0-9_-]{1,64}"),
        "MQTT client id prefix",
        "must be 1-64 letters, digits, '-' or '_', was '" + clientIdPrefix + "'");
  }

  @Override
  public Description describe() {
    return new Description("Command API")
        .add(HOST, host)
        .add(PORT, port == 0 ? "0 (a free one)" : port)
        .url(DATABASE_URL, jdbcUrl)
        .add("database pool size", dbPoolSize)
        .add(DB_CONNECTION_TIMEOUT, dbConnectionTimeout)
        .add(LEADER_POLL, leaderPoll)
        .add(ESCALATION_SCAN, escalationScan.isZero() ? "off" : escalationScan)
        .add("migrate at start", migrate)
        .url(MQTT_URL, mqttUrl)
        .add(MQTT_LOGIN, mqttLogin.username())
        .add("MQTT CA certificate", mqttCaCertificate == null ? "(JVM default)" : mqttCaCertificate)
        .add("MQTT client id prefix", clientIdPrefix)
        .secret("JWT secret", jwtSecret)
        .add(JWT_KEY_FILE, jwtKeyFile == null ? "(not set)" : jwtKeyFile)
        .add("token lifetime", tokenTtl)
        .add("bcrypt cost", passwordCost)
        .add("ack timeout", ackTimeout)
        .add("command key", commandKeys.keyId())
        .add("attempts per command", maxAttempts)
        .add(TRIGGERS_PER_CALLER, triggersPerCaller)
        .add(TRIGGERS_PER_DISTRICT, triggersPerDistrict)
        .add("retry backoff", retryBackoff + " .. " + retryBackoffMax)
        .add("live queue limit", liveQueueLimit + " events")
        .add("live write queue bytes", liveWriteQueueBytes)
        .add("live connections per user", liveConnectionsPerUser)
        .add("live revocation check", liveRevocationCheck)
        .add("case poll interval", casePollInterval)
        .add("case merge window", caseMergeWindow)
        .add("case merge distance (m)", caseMergeDistanceM)
        .add("case minimum confidence", caseMinConfidence)
        .add(SUMMARY_CACHE, summaryCache.isZero() ? "off" : summaryCache)
        .add(LIVE_CLOCK_SKEW, liveClockSkew)
        .include(health)
        .include(risk)
        .include(webhooks)
        .add(
            "seeds",
            seeds == null ? "bundled" : "configured (" + seeds.districts().size() + " districts)");
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

  /** The API's login ({@code citybrain-api}): only it may publish commands. */
  public BrokerLogin mqttLogin() {
    return mqttLogin;
  }

  /** The broker connection: this URL and login, a client id of its own per process. */
  MqttSettings mqttSettings() {
    return MqttSettings.builder(
            mqttUrl, clientIdPrefix + "-" + UUID.randomUUID().toString().substring(0, 8))
        .login(mqttLogin)
        .caCertificate(mqttCaCertificate)
        .build();
  }

  /**
   * The lease holder's persistent ack session ({@code LeaderAckSession}): one client id per
   * installation, the prefix and the database it leads (two processes on one database share it).
   */
  public MqttSettings ackSessionSettings() {
    String database = jdbcUrl.contains("?") ? jdbcUrl.substring(0, jdbcUrl.indexOf('?')) : jdbcUrl;
    String tag =
        java.util.HexFormat.of()
            .formatHex(sha256(database.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 4);
    return MqttSettings.persistentConsumer(
            mqttUrl,
            clientIdPrefix + "-acks-" + tag,
            io.citybrain.api.response.LeaderAckSession.SESSION_EXPIRY_SECONDS,
            MqttSettings.DEFAULT_MAX_INFLIGHT)
        .toBuilder()
        .automaticReconnect(true)
        .login(mqttLogin)
        .caCertificate(mqttCaCertificate)
        .build();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  public int dbPoolSize() {
    return dbPoolSize;
  }

  /** How long a request waits for a database connection before it is answered 503. */
  public Duration dbConnectionTimeout() {
    return dbConnectionTimeout;
  }

  /**
   * How often a standby tries for the leader lease and the leader checks it, and how often the
   * leader looks for runs, cancels and acks stored by other processes.
   */
  public Duration leaderPoll() {
    return leaderPoll;
  }

  /** How often the leader runs the escalation scan; zero: never. */
  public Duration escalationScan() {
    return escalationScan;
  }

  /** The HS256 signing secret, or null: then the key file's, or one generated per process. */
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

  /** Signs commands, verifies acks. */
  public CommandKeys commandKeys() {
    return commandKeys;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public int triggersPerCaller() {
    return triggersPerCaller;
  }

  public int triggersPerDistrict() {
    return triggersPerDistrict;
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

  public int liveConnectionsPerUser() {
    return liveConnectionsPerUser;
  }

  public Duration liveRevocationCheck() {
    return liveRevocationCheck;
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

  /** How long the summary's database part is reused; zero: never. */
  public Duration summaryCache() {
    return summaryCache;
  }

  /** How far in the future a live snapshot may be dated before it is dropped. */
  /** What {@code /health} watches: the stream job, and how old stored rows and snapshots may be. */
  public HealthSettings health() {
    return health;
  }

  /** When at-least-once counts as at risk: the broker's queue limit, the checkpoint interval. */
  public RiskSettings risk() {
    return risk;
  }

  public Duration liveClockSkew() {
    return liveClockSkew;
  }

  /** How webhooks are sent and retried, and which non-public hosts they may go to. */
  public WebhookSettings webhooks() {
    return webhooks;
  }

  /** Whether start applies the Flyway migrations first; false expects an up-to-date schema. */
  public boolean migrate() {
    return migrate;
  }

  /** The configured seeds, else the bundled ones (loaded once per process). */
  public CitySeeds seeds() {
    return seeds != null ? seeds : BundledSeeds.SEEDS;
  }

  /** Loads the bundled seeds on first use only: a configuration with its own never reads them. */
  private static final class BundledSeeds {
    static final CitySeeds SEEDS = SeedLoader.load();
  }

  /** Collects settings over the defaults; {@link #build()} validates them into an ApiConfig. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private String jdbcUrl;
    private String mqttUrl;
    private BrokerLogin mqttLogin;
    private Path mqttCaCertificate;
    private int dbPoolSize = DEFAULT_DB_POOL_SIZE;
    private String jwtSecret;
    private Path jwtKeyFile;
    private Duration tokenTtl = DEFAULT_TOKEN_TTL;
    private int passwordCost = DEFAULT_PASSWORD_COST;
    private Duration ackTimeout = DEFAULT_ACK_TIMEOUT;
    private CommandKeys commandKeys;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private int triggersPerCaller = DEFAULT_TRIGGERS_PER_CALLER;
    private int triggersPerDistrict = DEFAULT_TRIGGERS_PER_DISTRICT;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private Duration retryBackoffMax = DEFAULT_RETRY_BACKOFF_MAX;
    private int liveQueueLimit = DEFAULT_LIVE_QUEUE_LIMIT;
    private int liveWriteQueueBytes = DEFAULT_LIVE_WRITE_QUEUE_BYTES;
    private int liveConnectionsPerUser = DEFAULT_LIVE_CONNECTIONS_PER_USER;
    private Duration liveRevocationCheck = DEFAULT_LIVE_REVOCATION_CHECK;
    private Duration casePollInterval = DEFAULT_CASE_POLL_INTERVAL;
    private Duration caseMergeWindow = DEFAULT_CASE_MERGE_WINDOW;
    private double caseMergeDistanceM = DEFAULT_CASE_MERGE_DISTANCE_M;
    private double caseMinConfidence = DEFAULT_CASE_MIN_CONFIDENCE;
    private String clientIdPrefix = DEFAULT_CLIENT_ID_PREFIX;
    private Duration summaryCache = DEFAULT_SUMMARY_CACHE;
    private Duration liveClockSkew = DEFAULT_LIVE_CLOCK_SKEW;
    private HealthSettings health = HealthSettings.DEFAULT;
    private RiskSettings risk = RiskSettings.DEFAULT;
    private WebhookSettings webhooks = WebhookSettings.DEFAULT;
    private boolean migrate = true;
    private Duration leaderPoll = DEFAULT_LEADER_POLL;
    private Duration escalationScan = DEFAULT_ESCALATION_SCAN;
    private Duration dbConnectionTimeout = DEFAULT_DB_CONNECTION_TIMEOUT;
    private CitySeeds seeds;

    private Builder() {}

    /** The configuration; an {@link InvalidSettingException} names the first bad setting. */
    public ApiConfig build() {
      ApiConfig config = new ApiConfig(this);
      config.validate();
      return config;
    }

    public Builder host(String value) {
      host = value;
      return this;
    }

    /** 0 picks a free port. */
    public Builder port(int value) {
      port = value;
      return this;
    }

    /** PostgreSQL JDBC URL with credentials; required. */
    public Builder jdbcUrl(String value) {
      jdbcUrl = value;
      return this;
    }

    /** {@code tcp://host:port} or {@code ssl://host:port}; required. */
    public Builder mqttUrl(String value) {
      mqttUrl = value;
      return this;
    }

    /** The API's broker login ({@code Principal.api()}); required. */
    public Builder mqttLogin(BrokerLogin value) {
      mqttLogin = value;
      return this;
    }

    /** The PEM CA of an {@code ssl://} broker; null for the JVM's CAs. */
    public Builder mqttCaCertificate(Path value) {
      mqttCaCertificate = value;
      return this;
    }

    /** Connections, and as many database worker threads. */
    public Builder dbPoolSize(int value) {
      dbPoolSize = value;
      return this;
    }

    /** The HS256 signing secret; unset (and no key file) generates one per process. */
    public Builder jwtSecret(String value) {
      jwtSecret = value;
      return this;
    }

    /**
     * A file holding the signing secret; created with a fresh random secret (owner-only) when it
     * does not exist.
     */
    public Builder jwtKeyFile(Path value) {
      jwtKeyFile = value;
      return this;
    }

    public Builder tokenTtl(Duration value) {
      tokenTtl = value;
      return this;
    }

    /** bcrypt's cost factor. */
    public Builder passwordCost(int value) {
      passwordCost = value;
      return this;
    }

    /** How long one attempt of a command waits for its final ack. */
    public Builder commandKeys(CommandKeys value) {
      commandKeys = value;
      return this;
    }

    public Builder ackTimeout(Duration value) {
      ackTimeout = value;
      return this;
    }

    public Builder maxAttempts(int value) {
      maxAttempts = value;
      return this;
    }

    /** Plan triggers one caller may start per minute. */
    public Builder triggersPerCaller(int value) {
      triggersPerCaller = value;
      return this;
    }

    /** Plan triggers one district may see started per minute. */
    public Builder triggersPerDistrict(int value) {
      triggersPerDistrict = value;
      return this;
    }

    public Builder retryBackoff(Duration value) {
      retryBackoff = value;
      return this;
    }

    public Builder retryBackoffMax(Duration value) {
      retryBackoffMax = value;
      return this;
    }

    public Builder liveQueueLimit(int value) {
      liveQueueLimit = value;
      return this;
    }

    public Builder liveWriteQueueBytes(int value) {
      liveWriteQueueBytes = value;
      return this;
    }

    public Builder liveConnectionsPerUser(int value) {
      liveConnectionsPerUser = value;
      return this;
    }

    public Builder liveRevocationCheck(Duration value) {
      liveRevocationCheck = value;
      return this;
    }

    public Builder casePollInterval(Duration value) {
      casePollInterval = value;
      return this;
    }

    public Builder caseMergeWindow(Duration value) {
      caseMergeWindow = value;
      return this;
    }

    public Builder caseMergeDistanceM(double value) {
      caseMergeDistanceM = value;
      return this;
    }

    public Builder caseMinConfidence(double value) {
      caseMinConfidence = value;
      return this;
    }

    public Builder summaryCache(Duration value) {
      summaryCache = value;
      return this;
    }

    /** What {@code /health} watches (default: no job, 5 minutes for rows and snapshots). */
    public Builder health(HealthSettings value) {
      health = value;
      return this;
    }

    /** When the at-least-once alerts rise (default: the shipped broker and job settings). */
    public Builder risk(RiskSettings value) {
      risk = value;
      return this;
    }

    /** Webhook attempts, backoff, timeout, poll and allowed hosts (default: none allowed). */
    public Builder webhooks(WebhookSettings value) {
      webhooks = value;
      return this;
    }

    public Builder liveClockSkew(Duration value) {
      liveClockSkew = value;
      return this;
    }

    public Builder clientIdPrefix(String value) {
      clientIdPrefix = value;
      return this;
    }

    /** How often the leader lease is tried or checked, and stored work polled (default 1 s). */
    /** Zero turns the scan off (tests drive {@code Escalator.scan()} with their own clock). */
    public Builder escalationScan(Duration value) {
      escalationScan = value;
      return this;
    }

    public Builder leaderPoll(Duration value) {
      leaderPoll = value;
      return this;
    }

    /** How long a request waits for a pooled connection (default 3 s). */
    public Builder dbConnectionTimeout(Duration value) {
      dbConnectionTimeout = value;
      return this;
    }

    /** Whether start applies the Flyway migrations first (default true). */
    public Builder migrate(boolean value) {
      migrate = value;
      return this;
    }

    /** The city's seeds; unset uses the bundled ones. */
    public Builder seeds(CitySeeds value) {
      seeds = value;
      return this;
    }
  }
}
