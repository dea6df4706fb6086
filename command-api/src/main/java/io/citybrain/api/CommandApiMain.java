package io.citybrain.api;

import io.citybrain.access.BrokerLogin;
import io.citybrain.access.BrokerLoginOptions;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.api.notify.WebhookSettings;
import io.citybrain.api.ops.HealthSettings;
import io.citybrain.api.ops.RiskSettings;
import io.citybrain.api.response.CommandKeys;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.settings.InvalidSettingException;
import io.citybrain.storage.DataSources;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the Command API alone: {@code citybrain-api --db-url URL --mqtt-url URL [--port N]
 * [--demo-users]}.
 */
@Command(
    name = "citybrain-api",
    mixinStandardHelpOptions = true,
    description = "The Command API (REST + WebSocket) on a running PostgreSQL and MQTT broker.")
public class CommandApiMain implements Callable<Integer> {
  /** The flag of each setting the command line sets, to restate a configuration error with. */
  public static final Map<String, String> FLAGS =
      Map.ofEntries(
          Map.entry(ApiConfig.DATABASE_URL, "--db-url"),
          Map.entry(ApiConfig.MQTT_URL, "--mqtt-url"),
          Map.entry("MQTT CA certificate", "--mqtt-ca"),
          Map.entry(ApiConfig.HOST, "--bind"),
          Map.entry(ApiConfig.PORT, "--api-port"),
          Map.entry(ApiConfig.JWT_KEY_FILE, "--jwt-key-file"),
          Map.entry(ApiConfig.SUMMARY_CACHE, "--summary-cache-ms"),
          Map.entry("credentials", "--credentials"),
          Map.entry("Flink REST URL", "--flink-rest-url"),
          Map.entry("health max age", "--health-max-age-s"),
          Map.entry("broker max queued messages", "--broker-max-queued"),
          Map.entry("checkpoint interval", "--checkpoint-interval-s"),
          Map.entry(ApiConfig.ACK_TIMEOUT, "--ack-timeout-ms"),
          Map.entry(ApiConfig.MAX_ATTEMPTS, "--max-attempts"),
          Map.entry(ApiConfig.TRIGGERS_PER_CALLER, "--triggers-per-caller"),
          Map.entry(ApiConfig.TRIGGERS_PER_DISTRICT, "--triggers-per-district"),
          Map.entry(ApiConfig.LEADER_POLL, "--leader-poll-ms"),
          Map.entry(ApiConfig.DB_CONNECTION_TIMEOUT, "--db-connection-timeout-ms"),
          Map.entry(WebhookSettings.ALLOW_HOSTS, "--webhook-allow-hosts"),
          Map.entry(WebhookSettings.MAX_ATTEMPTS, "--webhook-max-attempts"),
          Map.entry(WebhookSettings.BACKOFF, "--webhook-backoff-ms"),
          Map.entry(WebhookSettings.BACKOFF_MAX, "--webhook-backoff-max-ms"),
          Map.entry(WebhookSettings.TIMEOUT, "--webhook-timeout-ms"));

  /** How this command calls itself in its messages, e.g. {@code citybrain-api}. */
  private final String name;

  /** The exit code of a bad configuration. */
  private final int badConfiguration;

  /** What follows a configuration error, e.g. {@code " (see --help)"}. */
  private final String hint;

  /** The stand-alone {@code citybrain-api}: a bad configuration exits 1. */
  public CommandApiMain() {
    this("citybrain-api", 1, "");
  }

  /** The same command under another name (the launcher's {@code citybrain api}). */
  protected CommandApiMain(String name, int badConfiguration, String hint) {
    this.name = name;
    this.badConfiguration = badConfiguration;
    this.hint = hint;
  }

  /** Old spellings of flags, still taken so existing scripts run, with a warning. */
  private static final Map<String, String> DEPRECATED =
      Map.of("--db", "--db-url", "--mqtt", "--mqtt-url");

  @Spec CommandSpec spec;

  @Option(
      names = {"--db-url", "--db"},
      paramLabel = "JDBC",
      defaultValue = "${env:CITYBRAIN_DB_URL}",
      description =
          "PostgreSQL JDBC URL with credentials (env CITYBRAIN_DB_URL); required. --db is deprecated.")
  String dbUrl;

  @Option(
      names = {"--mqtt-url", "--mqtt"},
      paramLabel = "URL",
      defaultValue = "${env:CITYBRAIN_MQTT_URL:-tcp://127.0.0.1:1883}",
      description =
          "MQTT broker URL (env CITYBRAIN_MQTT_URL; default: ${DEFAULT-VALUE}). --mqtt is deprecated.")
  String mqttUrl;

  /** How the API logs in: as {@code citybrain-api}, from the installation or a password file. */
  @Mixin BrokerLoginOptions login;

  @Option(
      names = {"--bind", "--host"},
      paramLabel = "ADDRESS",
      defaultValue = "${env:CITYBRAIN_BIND:-" + ApiConfig.DEFAULT_HOST + "}",
      description =
          "Listen address (env CITYBRAIN_BIND; default: ${DEFAULT-VALUE}, this machine only;"
              + " 0.0.0.0 for every interface). --host is the old name.")
  String host;

  @Option(
      names = {"--api-port", "--port"},
      paramLabel = "PORT",
      defaultValue = "${env:CITYBRAIN_API_PORT:-8080}",
      description =
          "HTTP port, 0 for a free one (env CITYBRAIN_API_PORT; default: ${DEFAULT-VALUE})."
              + " --port is the old name.")
  int port;

  @Option(
      names = "--ack-timeout-ms",
      paramLabel = "MS",
      defaultValue = "15000",
      description =
          "How long one attempt of a command waits for its final ack (default: ${DEFAULT-VALUE}).")
  long ackTimeoutMs;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      defaultValue = "3",
      description = "Attempts per command, 1..10 (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(
      names = "--triggers-per-caller",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "Plan runs one caller may start per minute, 1..10000 (default: ${DEFAULT-VALUE}).")
  int triggersPerCaller;

  @Option(
      names = "--triggers-per-district",
      paramLabel = "N",
      defaultValue = "20",
      description =
          "Plan runs one district may see started per minute, 1..10000 (default: ${DEFAULT-VALUE}).")
  int triggersPerDistrict;

  @Option(
      names = "--leader-poll-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description =
          "How often a standby tries for the response leader lease, the leader checks it and"
              + " polls for runs, cancels and acks stored by other API processes (default:"
              + " ${DEFAULT-VALUE}).")
  long leaderPollMs;

  @Option(
      names = "--db-connection-timeout-ms",
      paramLabel = "MS",
      defaultValue = "3000",
      description =
          "How long a request waits for a database connection before it is answered 503"
              + " (default: ${DEFAULT-VALUE}).")
  long dbConnectionTimeoutMs;

  @Option(
      names = "--migrate",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Apply the schema migrations at start (an owner's URL only); --no-migrate for the"
              + " runtime role, after citybrain migrate (default: ${DEFAULT-VALUE}).")
  boolean migrate;

  @Option(
      names = "--jwt-key-file",
      description = "File with the JWT signing secret; created when missing.")
  Path jwtKeyFile;

  @Option(
      names = "--sync-registry",
      description = "Load the seed fleet into the registry tables first.")
  boolean syncRegistry;

  @Option(
      names = "--summary-cache-ms",
      defaultValue = "1000",
      description =
          "Reuse the summary's database part this long; 0 disables (default: ${DEFAULT-VALUE}).")
  long summaryCacheMs;

  @Option(
      names = "--flink-rest-url",
      defaultValue = "${env:CITYBRAIN_FLINK_REST_URL}",
      description =
          "Flink's REST endpoint, e.g. http://jobmanager:8081: /health turns 503 unless the stream"
              + " job runs there (env CITYBRAIN_FLINK_REST_URL; unset: the job is not watched).")
  String flinkRestUrl;

  @Option(
      names = "--health-max-age-s",
      defaultValue = "300",
      description =
          "/health turns 503 when the newest stored row or the newest live snapshot is older than"
              + " this; 0 disables both checks (default: ${DEFAULT-VALUE}).")
  long healthMaxAgeS;

  @Option(
      names = "--broker-max-queued",
      defaultValue = "2000000",
      description =
          "The broker's max_queued_messages (config/mosquitto/mosquitto.conf): the backlog alert"
              + " rises at half of it (default: ${DEFAULT-VALUE}).")
  long brokerMaxQueued;

  @Option(
      names = "--checkpoint-interval-s",
      defaultValue = "10",
      description =
          "The stream job's checkpoint interval: the checkpoint-age alert rises at 3 times it"
              + " (default: ${DEFAULT-VALUE}).")
  long checkpointIntervalS;

  @Option(
      names = "--webhook-allow-hosts",
      paramLabel = "HOST,...",
      defaultValue = "${env:CITYBRAIN_WEBHOOK_ALLOW_HOSTS:-}",
      description =
          "Hosts webhooks may go to although they are loopback, link-local or private, separated"
              + " by commas (env CITYBRAIN_WEBHOOK_ALLOW_HOSTS; default: none).")
  String webhookAllowHosts;

  @Option(
      names = "--webhook-max-attempts",
      paramLabel = "N",
      defaultValue = "8",
      description = "Attempts per webhook delivery, 1..20 (default: ${DEFAULT-VALUE}).")
  int webhookMaxAttempts;

  @Option(
      names = "--webhook-backoff-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description =
          "Wait after a webhook's first failed attempt, doubling after each (default:"
              + " ${DEFAULT-VALUE}).")
  long webhookBackoffMs;

  @Option(
      names = "--webhook-backoff-max-ms",
      paramLabel = "MS",
      defaultValue = "300000",
      description = "Longest wait between a webhook's attempts (default: ${DEFAULT-VALUE}).")
  long webhookBackoffMaxMs;

  @Option(
      names = "--webhook-timeout-ms",
      paramLabel = "MS",
      defaultValue = "5000",
      description =
          "How long one webhook attempt may take, 100..60000 (default: ${DEFAULT-VALUE}).")
  long webhookTimeoutMs;

  @Option(
      names = "--demo-users",
      description = "Create demo-<role> users with generated passwords, printed once.")
  boolean demoUsers;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CommandApiMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    warnDeprecated(spec.commandLine().getParseResult().originalArgs());
    ApiConfig config;
    // The login's own problem (no folder, a fleet folder) is told once the URLs are known good.
    BrokerLogin mqttLogin = null;
    CommandKeys commandKeys = null;
    InvalidSettingException loginProblem = null;
    try {
      mqttLogin = login.serviceLogin(Principal.api());
      // The API signs commands and verifies acks with the installation's keys: --credentials.
      if (login.credentials() != null) {
        commandKeys = CommandKeys.of(Installation.load(login.credentials()));
      }
    } catch (InvalidSettingException e) {
      loginProblem = e;
    }
    try {
      config =
          ApiConfig.builder()
              .jdbcUrl(dbUrl)
              .mqttUrl(mqttUrl)
              .mqttLogin(mqttLogin)
              .mqttCaCertificate(login.caCertificate())
              .commandKeys(commandKeys)
              .host(host)
              .port(port)
              .jwtKeyFile(jwtKeyFile)
              .summaryCache(Duration.ofMillis(summaryCacheMs))
              .ackTimeout(Duration.ofMillis(ackTimeoutMs))
              .maxAttempts(maxAttempts)
              .triggersPerCaller(triggersPerCaller)
              .triggersPerDistrict(triggersPerDistrict)
              .leaderPoll(Duration.ofMillis(leaderPollMs))
              .dbConnectionTimeout(Duration.ofMillis(dbConnectionTimeoutMs))
              .migrate(migrate)
              .health(
                  HealthSettings.DEFAULT
                      .withFlinkRestUrl(flinkRestUrl)
                      .withMaxAges(
                          Duration.ofSeconds(healthMaxAgeS), Duration.ofSeconds(healthMaxAgeS)))
              .risk(
                  RiskSettings.DEFAULT
                      .withBrokerMaxQueued(brokerMaxQueued)
                      .withCheckpointInterval(Duration.ofSeconds(checkpointIntervalS)))
              .webhooks(
                  WebhookSettings.DEFAULT
                      .withMaxAttempts(webhookMaxAttempts)
                      .withBackoff(
                          Duration.ofMillis(webhookBackoffMs),
                          Duration.ofMillis(webhookBackoffMaxMs))
                      .withTimeout(Duration.ofMillis(webhookTimeoutMs))
                      .withAllowHosts(hosts(webhookAllowHosts)))
              .build();
    } catch (InvalidSettingException e) {
      InvalidSettingException problem =
          loginProblem != null
                  && (ApiConfig.MQTT_LOGIN.equals(e.setting()) || "credentials".equals(e.setting()))
              ? loginProblem
              : e;
      spec.commandLine()
          .getErr()
          .println(
              name
                  + ": "
                  + problem.restatedFor(setting -> FLAGS.getOrDefault(setting, setting))
                  + hint);
      return badConfiguration;
    }
    spec.commandLine().getOut().println(config.describe());
    if (syncRegistry) {
      try (var ds = DataSources.pooled(config.jdbcUrl(), "citybrain-api-registry", 2)) {
        Schema.migrate(ds);
        RegistrySync.sync(ds, config.seeds(), FleetExpander.expand(config.seeds()));
      }
    }
    CommandApi api;
    try {
      api = CommandApi.start(config);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // A key file that cannot be used, a database or broker that cannot be reached.
      spec.commandLine().getErr().println(name + ": " + e.getMessage());
      return 1;
    }
    spec.commandLine()
        .getOut()
        .println(
            "Command API: " + api.url() + "  (OpenAPI: " + api.url() + "/api/v1/openapi.json)");
    if (demoUsers) {
      api.createDemoUsers()
          .forEach(
              u ->
                  spec.commandLine()
                      .getOut()
                      .println(
                          "  user "
                              + u.username()
                              + "  password "
                              + u.password()
                              + "  ("
                              + u.role().id()
                              + ", shown once)"));
    }
    spec.commandLine().getOut().flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  api.close();
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }

  /** A comma-separated list, blanks dropped. */
  private static java.util.Set<String> hosts(String list) {
    java.util.Set<String> hosts = new java.util.TreeSet<>();
    for (String host : (list == null ? "" : list).split(",")) {
      if (!host.isBlank()) {
        hosts.add(host.strip());
      }
    }
    return hosts;
  }

  private void warnDeprecated(List<String> args) {
    DEPRECATED.forEach(
        (old, current) -> {
          if (args.stream().anyMatch(a -> a.equals(old) || a.startsWith(old + "="))) {
            spec.commandLine()
                .getErr()
                .println(name + ": " + old + " is deprecated, use " + current);
          }
        });
  }
}
