package io.citybrain.stream;

import io.citybrain.ingest.source.LaneSessions;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.simulators.SimCommand;
import io.citybrain.simulators.SimReport;
import io.citybrain.simulators.SimRun;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.testkit.TestServices;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
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

  static CityJobConfig config(TestServices services, String brokerUrl) {
    CityJobConfig c = new CityJobConfig();
    c.brokerUrl = brokerUrl;
    c.jdbcUrl = services.jdbcUrl();
    c.districts = SEEDS.districtCodes();
    c.clientIdPrefix = services.uniqueId("city");
    c.sessionExpiry = Duration.ofMinutes(2);
    c.checkpointInterval = Duration.ofSeconds(1);
    return c;
  }

  /**
   * Starts the job and a subscriber on its result topics; waits until the lanes have subscribed.
   */
  static CityJobRun start(CityJobConfig config, MapFunction<MqttRecord, MqttRecord> hook)
      throws Exception {
    // The lanes' sessions exist before the job deploys: nothing the simulator sends early is lost.
    LaneSessions.open(config.source());
    MqttConnection results =
        PahoConnection.connect(MqttSettings.of(config.brokerUrl, config.clientIdPrefix + "-watch"));
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
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
    // Every type crossing the network must have a real serializer: Kryo fallbacks fail the job.
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    new CityJob(config, SEEDS).build(env, hook);
    JobClient job = env.executeAsync("city-under-test");
    long deadline = System.currentTimeMillis() + 60_000;
    while (job.getJobStatus().get() != JobStatus.RUNNING && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    run.job = job;
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
  static long awaitStable(TestServices services, String sql, Duration quiet, Duration timeout)
      throws Exception {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    long last = -1;
    while (System.currentTimeMillis() < deadline) {
      long now = query(services, sql);
      if (now == last && now > 0) {
        return now;
      }
      last = now;
      Thread.sleep(quiet.toMillis());
    }
    throw new AssertionError("still changing after " + timeout + ": " + sql + " = " + last);
  }

  /** Waits until {@code sql} returns at least {@code atLeast}; fails after the timeout. */
  static long awaitAtLeast(TestServices services, String sql, long atLeast, Duration timeout)
      throws Exception {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    long now;
    while ((now = query(services, sql)) < atLeast) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "after " + timeout + ": " + sql + " = " + now + ", expected at least " + atLeast);
      }
      Thread.sleep(500);
    }
    return now;
  }

  static long query(TestServices services, String sql) throws Exception {
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static List<String> strings(TestServices services, String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
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
