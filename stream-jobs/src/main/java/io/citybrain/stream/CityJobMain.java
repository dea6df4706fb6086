package io.citybrain.stream;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Durations;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.seeds.SeedSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The job jar's entry point ({@code flink run citybrain-stream-job.jar --broker ... --db-url ...}):
 * the same graph as the demo's MiniCluster, on whatever cluster the client submits to. Flags
 * override environment variables.
 */
@Command(
    name = "citybrain-stream-job",
    mixinStandardHelpOptions = true,
    description =
        "The CityBrain stream job: district metrics, liveness, alerts, incidents and the live picture.")
public final class CityJobMain implements Callable<Integer> {
  @Option(
      names = "--broker",
      defaultValue = "${env:CITYBRAIN_MQTT_URL}",
      description = "MQTT broker URL (tcp://host:1883).")
  String broker;

  @Option(
      names = "--db-url",
      defaultValue = "${env:CITYBRAIN_DB_URL}",
      description = "jdbc:postgresql: URL.")
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

  @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = Durations.class)
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

  @Option(names = "--out-of-orderness", defaultValue = "5s", converter = Durations.class)
  Duration outOfOrderness;

  @Option(names = "--idleness", defaultValue = "30s", converter = Durations.class)
  Duration idleness;

  @Option(names = "--allowed-lateness", defaultValue = "30s", converter = Durations.class)
  Duration allowedLateness;

  @Option(
      names = "--no-publish",
      description = "Write results to the database only, not to the live topics.")
  boolean noPublish;

  public static void main(String[] args) throws Exception {
    CommandLine line = new CommandLine(new CityJobMain());
    int code = line.execute(args);
    if (code != 0) {
      // Inside `flink run` an exit would take the client down without a word; an exception carries
      // the message.
      throw new IllegalArgumentException(
          "citybrain-stream-job did not start (exit " + code + ") with " + Arrays.toString(args));
    }
  }

  @Override
  public Integer call() throws Exception {
    CitySeeds city =
        seeds == null ? SeedLoader.load() : SeedLoader.load(SeedSource.directory(seeds));
    CityJobConfig config = config(city.districtCodes());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    new CityJob(config, city).build(env);
    env.execute("citybrain-city");
    return 0;
  }

  CityJobConfig config(List<String> districts) {
    CityJobConfig c = new CityJobConfig();
    c.brokerUrl = broker;
    c.jdbcUrl = dbUrl;
    c.districts = districts;
    c.parallelism = parallelism;
    c.lanes = lanes;
    c.qos = qos;
    c.clientIdPrefix = clientId;
    c.checkpointInterval = checkpointInterval;
    c.stateBackend = stateBackend;
    c.checkpointDir = checkpointDir;
    c.outOfOrderness = outOfOrderness;
    c.idleness = idleness;
    c.allowedLateness = allowedLateness;
    c.publishResults = !noPublish;
    return c.validate();
  }
}
