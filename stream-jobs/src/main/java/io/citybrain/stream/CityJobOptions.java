package io.citybrain.stream;

import io.citybrain.access.BrokerLoginOptions;
import io.citybrain.access.Principal;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.seeds.SeedSource;
import io.citybrain.settings.InvalidSettingException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The stream job's flags ({@link CityJobConfig}'s settings), one set for every command that runs
 * the job: the job jar's own main ({@code flink run citybrain-stream-job.jar ...}) and {@code
 * citybrain job}. Flags override environment variables.
 */
public final class CityJobOptions {
  /** The flag of each setting a flag sets, to restate a setting's problem as the user typed it. */
  public static final Map<String, String> FLAGS =
      Map.ofEntries(
          Map.entry("broker URL", "--mqtt-url"),
          Map.entry("MQTT CA certificate", "--mqtt-ca"),
          Map.entry("database URL", "--db-url"),
          Map.entry("parallelism", "--parallelism"),
          Map.entry("lanes", "--lanes"),
          Map.entry("qos", "--qos"),
          Map.entry("client id prefix", "--client-id"),
          Map.entry("checkpoint interval", "--checkpoint-interval"),
          Map.entry("state backend", "--state-backend"),
          Map.entry("checkpoint directory", "--checkpoint-dir"),
          Map.entry("out-of-orderness", "--out-of-orderness"),
          Map.entry("idleness", "--idleness"),
          Map.entry("allowed lateness", "--allowed-lateness"),
          Map.entry("dead letter retention", "--dead-letter-retention"));

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--mqtt-url",
      paramLabel = "URL",
      defaultValue = "${env:CITYBRAIN_MQTT_URL}",
      description = "MQTT broker URL, e.g. tcp://127.0.0.1:1883 (env CITYBRAIN_MQTT_URL).")
  String mqttUrl;

  /** How the job logs in: as {@code citybrain-job}, from the installation or a password file. */
  @Mixin BrokerLoginOptions login;

  /** The name --mqtt-url had before the settings were named alike across the launcher's roles. */
  @Option(names = "--broker", paramLabel = "URL", hidden = true)
  String deprecatedBroker;

  @Option(
      names = "--db-url",
      paramLabel = "JDBC",
      defaultValue = "${env:CITYBRAIN_DB_URL}",
      description =
          "PostgreSQL URL, e.g. jdbc:postgresql://127.0.0.1:5432/citybrain?user=citybrain "
              + "(env CITYBRAIN_DB_URL).")
  String dbUrl;

  @Option(
      names = "--seeds",
      paramLabel = "DIR",
      description = "A folder of seed files (default: the seeds shipped in the jar).")
  Path seeds;

  @Option(names = "--parallelism", defaultValue = "" + CityJobConfig.DEFAULT_PARALLELISM)
  int parallelism;

  @Option(
      names = "--lanes",
      defaultValue = "" + CityJobConfig.DEFAULT_LANES,
      description = "MQTT connections.")
  int lanes;

  @Option(names = "--qos", defaultValue = "" + CityJobConfig.DEFAULT_QOS)
  int qos;

  @Option(
      names = "--client-id",
      defaultValue = CityJobConfig.DEFAULT_CLIENT_ID_PREFIX,
      description =
          "Prefix of the MQTT client ids (lanes keep their broker sessions across restarts by it).")
  String clientId;

  @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DurationFlag.class)
  Duration checkpointInterval;

  @Option(
      names = "--state-backend",
      defaultValue = CityJobConfig.DEFAULT_STATE_BACKEND,
      description = "hashmap or rocksdb.")
  String stateBackend;

  @Option(
      names = "--checkpoint-dir",
      description = "Checkpoint storage URI (file:///..., s3://...).")
  String checkpointDir;

  @Option(names = "--out-of-orderness", defaultValue = "5s", converter = DurationFlag.class)
  Duration outOfOrderness;

  @Option(names = "--idleness", defaultValue = "30s", converter = DurationFlag.class)
  Duration idleness;

  @Option(names = "--allowed-lateness", defaultValue = "30s", converter = DurationFlag.class)
  Duration allowedLateness;

  @Option(
      names = "--dead-letter-retention",
      defaultValue = "720h",
      converter = DurationFlag.class,
      description = "Dead letters older than this are deleted, hourly (default 720h, 30 days).")
  Duration deadLetterRetention;

  @Option(
      names = "--no-publish",
      description = "Write results to the database only, not to the live topics.")
  boolean noPublish;

  /** The seeds: the folder given, else the ones shipped in the jar. */
  public CitySeeds seeds() {
    return seeds == null ? SeedLoader.load() : SeedLoader.load(SeedSource.directory(seeds));
  }

  /** The checkpoint storage URI given with --checkpoint-dir, or null. */
  public String checkpointDir() {
    return checkpointDir;
  }

  /** The validated configuration; a bad setting is a usage error naming its flag. */
  public CityJobConfig config(List<String> districts) {
    if (deprecatedBroker != null) {
      spec.commandLine()
          .getErr()
          .println(spec.qualifiedName() + ": --broker is deprecated, use --mqtt-url");
    }
    try {
      return CityJobConfig.builder()
          .mqttUrl(mqttUrl())
          .mqttLogin(login.serviceLogin(Principal.job()))
          .mqttCaCertificate(login.caCertificate())
          .jdbcUrl(dbUrl)
          .districts(districts)
          .parallelism(parallelism)
          .lanes(lanes)
          .qos(qos)
          .clientIdPrefix(clientId)
          .checkpointInterval(checkpointInterval)
          .stateBackend(stateBackend)
          .checkpointDir(checkpointDir)
          .outOfOrderness(outOfOrderness)
          .idleness(idleness)
          .allowedLateness(allowedLateness)
          .deadLetterRetention(deadLetterRetention)
          .publishResults(!noPublish)
          .build();
    } catch (InvalidSettingException e) {
      throw new ParameterException(
          spec.commandLine(), e.restatedFor(setting -> FLAGS.getOrDefault(setting, setting)), e);
    }
  }

  /** --mqtt-url when given; else the deprecated --broker, which as a flag beats the environment. */
  private String mqttUrl() {
    boolean explicit = spec.commandLine().getParseResult().hasMatchedOption("--mqtt-url");
    return deprecatedBroker != null && !explicit ? deprecatedBroker : mqttUrl;
  }
}
