package io.citybrain.stream;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.access.Principal;
import io.citybrain.ingest.source.LaneSessions;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.simulators.SimCommand;
import io.citybrain.simulators.SimReport;
import io.citybrain.simulators.SimRun;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.testkit.SqlRows;
import io.citybrain.testkit.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/** The city job as the tests run it on a MiniCluster, with a subscriber on its result topics. */
final class CityJobRun implements AutoCloseable {
  static final CitySeeds SEEDS = SeedLoader.load();
  private JobClient job;
  private final CityJobConfig config;
  private final MqttConnection results;

  /** Live topic payloads by topic, in arrival order. */
  final Map<String, List<byte[]>> published = new ConcurrentHashMap<>();

  private CityJobRun(JobClient job, CityJobConfig config, MqttConnection results) {
    this.job = job;
    this.config = config;
    this.results = results;
  }

  static void prepareDatabase(TestServices services) {
    Schema.migrate(services.dataSource());
    RegistrySync.sync(services.dataSource(), SEEDS, FleetExpander.expand(SEEDS));
  }

  /** The tests' settings: this test's broker and database, checkpoints every second. */
  static CityJobConfig.Builder config(TestServices services, String brokerUrl) {
    return CityJobConfig.builder()
        .mqttUrl(brokerUrl)
        .mqttLogin(services.login(Principal.job()))
        .jdbcUrl(services.jdbcUrl())
        .districts(SEEDS.districtCodes())
        .clientIdPrefix(services.uniqueId("city"))
        .sessionExpiry(Duration.ofMinutes(2))
        .checkpointInterval(Duration.ofSeconds(1));
  }

  /** Starts the job on these ends and a subscriber on its result topics; waits until it runs. */
  static CityJobRun start(TestServices services, CityJobConfig config, CityJobIo io)
      throws Exception {
    return start(services, config, io, true);
  }

  /**
   * As {@link #start(TestServices, CityJobConfig, CityJobIo)}; without restarts any task failure
   * fails the job, so a job still running has restarted 0 times.
   */
  static CityJobRun start(
      TestServices services, CityJobConfig config, CityJobIo io, boolean restarts)
      throws Exception {
    // The lanes' sessions exist before the job deploys: nothing the simulator sends early is lost.
    LaneSessions.open(config.source());
    MqttConnection results =
        PahoConnection.connect(
            MqttSettings.of(config.mqttUrl(), config.clientIdPrefix() + "-watch")
                .withLogin(services.login(Principal.observer())));
    CityJobRun run = new CityJobRun(null, config, results);
    for (String filter : List.of("city/v1/+/live", "city/v1/+/alert", "city/v1/+/incident")) {
      results.subscribe(
          filter,
          1,
          (topic, payload) ->
              run.published
                  .computeIfAbsent(topic, t -> Collections.synchronizedList(new ArrayList<>()))
                  .add(payload));
    }
    Configuration conf = new Configuration();
    if (restarts) {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
    } else {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    }
    // Every type crossing the network must have a real serializer: Kryo fallbacks fail the job.
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    new CityJob(config, SEEDS, io).build(env);
    JobClient job = env.executeAsync("city-under-test");
    run.job = job;
    await("the city job running")
        .atMost(Duration.ofMinutes(1))
        .until(() -> job.getJobStatus().get() == JobStatus.RUNNING);
    return run;
  }

  /**
   * Runs the simulator with these flags (plus broker and client id) and returns its report. One
   * connection: its messages reach the broker in the order they were made, so a time-lapse run (30
   * s of event time per wall second) does not turn a moment's stall of one connection on a busy
   * machine into readings past the allowed lateness.
   */
  static SimReport simulate(TestServices services, String brokerUrl, String... flags)
      throws InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--broker",
                brokerUrl,
                "--credentials",
                services.credentials().toString(),
                "--client-id",
                services.uniqueId("sim"),
                "--no-actuators",
                "--connections",
                "1",
                "--qos",
                "1",
                "--quiet"));
    args.addAll(List.of(flags));
    SimCommand command = new SimCommand();
    new CommandLine(command).parseArgs(args.toArray(String[]::new));
    try (SimRun run = new SimRun(command.config(), null)) {
      return run.run();
    }
  }

  /**
   * Waits until {@code sql} returns the same value twice, {@code quiet} apart (the job has caught
   * up).
   */
  static long awaitStable(TestServices services, String sql, Duration quiet, Duration timeout) {
    AtomicLong last = new AtomicLong(-1);
    return await("no change for " + quiet + ": " + sql)
        .atMost(timeout)
        .pollInterval(quiet)
        .until(
            () -> query(services, sql),
            now -> {
              boolean stable = now > 0 && now == last.get();
              last.set(now);
              return stable;
            });
  }

  /** Waits until {@code sql} returns at least {@code atLeast}; fails after the timeout. */
  static long awaitAtLeast(TestServices services, String sql, long atLeast, Duration timeout) {
    return await(sql + " at least " + atLeast)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> query(services, sql), now -> now >= atLeast);
  }

  /** The job's status now. */
  JobStatus status() throws Exception {
    return job.getJobStatus().get();
  }

  /** The window end of the newest picture of {@code district} this run's subscriber received. */
  long publishedWindowEnd(String district) throws InvalidProtocolBufferException {
    List<byte[]> payloads = published.getOrDefault(Topics.live(district), List.of());
    long newest = 0;
    synchronized (payloads) {
      for (byte[] p : payloads) {
        if (p.length > 0) {
          newest = Math.max(newest, DistrictSnapshot.parseFrom(p).getWindowEndMs());
        }
      }
    }
    return newest;
  }

  static long query(TestServices services, String sql) throws Exception {
    return SqlRows.number(services.dataSource(), sql);
  }

  static List<String> strings(TestServices services, String sql) throws Exception {
    return SqlRows.strings(services.dataSource(), sql);
  }

  /** Cancels the job, ends its lanes' broker sessions and the subscriber. */
  @Override
  public void close() throws Exception {
    try {
      if (job != null) {
        job.cancel().get();
      }
    } finally {
      results.close();
      LaneSessions.end(config.source());
    }
  }
}
