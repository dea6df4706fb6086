package io.citybrain.stream;

import io.citybrain.access.BrokerLoginOptions;
import io.citybrain.access.Principal;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Durations;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.seeds.SeedSource;
import io.citybrain.settings.InvalidSettingException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The job jar's entry point ({@code flink run citybrain-stream-job.jar --mqtt-url ... --db-url
 * ...}): the same graph as the demo's MiniCluster, on whatever cluster the client submits to, with
 * the real broker and database. Flags override environment variables.
 */
@Command(
    name = "citybrain-stream-job",
    mixinStandardHelpOptions = true,
    description =
        "The CityBrain stream job: district metrics, liveness, alerts, incidents and the live picture.")
public final class CityJobMain implements Callable<Integer> {
  /** The flag of each setting a flag sets, to restate a setting's problem as the user typed it. */
  private static final Map<String, String> FLAGS =
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

  @Spec CommandSpec spec;

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

  @Option(names = "--checkpoint-interval", defaultValue = "10s")
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

  @Option(names = "--out-of-orderness", defaultValue = "5s")
  Duration outOfOrderness;

  @Option(names = "--idleness", defaultValue = "30s")
  Duration idleness;

  @Option(names = "--allowed-lateness", defaultValue = "30s")
  Duration allowedLateness;

  @Option(
      names = "--dead-letter-retention",
      defaultValue = "720h",
      description = "Dead letters older than this are deleted, hourly (default 720h, 30 days).")
  Duration deadLetterRetention;

  @Option(
      names = "--no-publish",
      description = "Write results to the database only, not to the live topics.")
  boolean noPublish;

  public static void main(String[] args) throws Exception {
    int code = commandLine(new CityJobMain()).execute(args);
    if (code != 0) {
      // Inside `flink run` an exit would take the client down without a word; an exception carries
      // the message.
      throw new IllegalArgumentException(
          "citybrain-stream-job did not start (exit " + code + ") with " + Arrays.toString(args));
    }
  }

  /**
   * The command line over {@code main}: durations read as people write them (10s, 500ms, PT30S).
   */
  static CommandLine commandLine(CityJobMain main) {
    CommandLine line = new CommandLine(main);
    line.registerConverter(Duration.class, Durations::parse);
    return line;
  }

  @Override
  public Integer call() throws Exception {
    CitySeeds city =
        seeds == null ? SeedLoader.load() : SeedLoader.load(SeedSource.directory(seeds));
    CityJobConfig config = config(city.districtCodes());
    spec.commandLine().getOut().println(config.describe());
    spec.commandLine().getOut().flush();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    new CityJob(config, city, CityJobIo.of(config)).build(env);
    env.execute("citybrain-city");
    return 0;
  }

  /** The validated configuration; a bad setting is a usage error naming its flag. */
  CityJobConfig config(List<String> districts) {
    if (deprecatedBroker != null) {
      spec.commandLine()
          .getErr()
          .println("citybrain-stream-job: --broker is deprecated, use --mqtt-url");
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
