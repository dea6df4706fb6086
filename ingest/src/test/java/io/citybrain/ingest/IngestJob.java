package io.citybrain.ingest;

import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.ingest.sink.RawIngestSink;
import io.citybrain.ingest.source.LaneSessions;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.source.MqttSource;
import io.citybrain.ingest.source.MqttSourceConfig;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
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
import java.util.List;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.assertj.core.api.Assertions;
import org.awaitility.core.ConditionTimeoutException;
import picocli.CommandLine;

/**
 * The ingest job as the tests run it: MQTT source (2 lanes) -> a test hook -> validating raw sink
 * ({@link RawIngestSink}), parallelism 2.
 */
final class IngestJob implements AutoCloseable {
  private final JobClient job;
  private final MqttSourceConfig source;

  private IngestJob(JobClient job, MqttSourceConfig source) {
    this.job = job;
    this.source = source;
  }

  /** Schema and registry into the test's database: the sink validates against them. */
  static void prepareDatabase(TestServices services) {
    Schema.migrate(services.dataSource());
    CitySeeds seeds = SeedLoader.load();
    RegistrySync.sync(services.dataSource(), seeds, FleetExpander.expand(seeds));
  }

  /** Starts the job on the MiniCluster and waits until its lanes have subscribed. */
  static IngestJob start(
      TestServices services, String brokerUrl, MapFunction<MqttRecord, MqttRecord> hook)
      throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(500);
    // Disjoint lanes, one filter per district: each lane's persistent session queues its districts
    // while the lane is
    // down. (A shared subscription lost messages published while every member was reconnecting:
    // BrokerRestartIT.)
    // Telemetry only, one filter per district and class: all the job may read.
    List<String> filters = new ArrayList<>();
    for (String d : SeedLoader.load().districtCodes()) {
      for (MessageClass c : MessageClass.TELEMETRY) {
        filters.add(Topics.filter(c, d));
      }
    }
    // Sessions expire soon after a test: an abandoned persistent session queues every later message
    // on the broker.
    MqttSourceConfig source =
        new MqttSourceConfig(
            brokerUrl,
            services.login(Principal.job()),
            null,
            filters,
            services.uniqueId("ingest"),
            2,
            1,
            60_000,
            Duration.ofMinutes(2),
            20_000,
            false);
    env.fromSource(new MqttSource(source), WatermarkStrategy.noWatermarks(), "mqtt")
        .map(hook)
        .name("test-hook")
        .sinkTo(
            new RawIngestSink(
                services.jdbcUrl(), 2_000, Duration.ofMillis(200), Duration.ofMinutes(5)));
    // A persistent session only queues what arrives after it subscribed: the lanes' sessions exist
    // before the job deploys, so nothing the simulator sends early is lost.
    LaneSessions.open(source);
    JobClient job = env.executeAsync("ingest-under-test");
    await("the ingest job running")
        .atMost(Duration.ofMinutes(1))
        .until(() -> job.getJobStatus().get() == JobStatus.RUNNING);
    return new IngestJob(job, source);
  }

  /** Runs the simulator with these flags (plus broker and client id) and returns its report. */
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
                "2",
                "--qos",
                "1"));
    args.addAll(List.of(flags));
    SimCommand command = new SimCommand();
    new CommandLine(command).parseArgs(args.toArray(String[]::new));
    try (SimRun run = new SimRun(command.config(), null)) {
      return run.run();
    }
  }

  /**
   * Waits until the raw tables hold at least {@code rows} rows, or the timeout passes; returns the
   * count.
   */
  static long awaitStored(TestServices services, long rows, Duration timeout) throws Exception {
    try {
      return await("at least " + rows + " raw rows")
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> storedRows(services), stored -> stored >= rows);
    } catch (ConditionTimeoutException e) {
      // The caller's assertion on the count says how far it got.
      return storedRows(services);
    }
  }

  static long storedRows(TestServices services) throws Exception {
    return query(
        services,
        "SELECT (SELECT count(*) FROM reading) + (SELECT count(*) FROM camera_event) "
            + "+ (SELECT count(*) FROM heartbeat)");
  }

  static long distinctIdentities(TestServices services) throws Exception {
    return query(
        services,
        "SELECT count(*) FROM (SELECT DISTINCT device_id, seq FROM (SELECT device_id, seq "
            + "FROM reading UNION ALL SELECT device_id, seq FROM camera_event UNION ALL SELECT device_id, seq "
            + "FROM heartbeat) ids) d");
  }

  /**
   * Checks the accounting table: per district received = stored + duplicate + rejected, total
   * stored = rows in the raw tables, total rejected = dead letters. Returns {received, stored,
   * duplicate, rejected} over all districts.
   */
  static long[] assertAccounting(TestServices services) throws Exception {
    long[] total = new long[4];
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                """
            SELECT district,
                   coalesce(sum(value) FILTER (WHERE counter = 'received'), 0),
                   coalesce(sum(value) FILTER (WHERE counter = 'stored'), 0),
                   coalesce(sum(value) FILTER (WHERE counter = 'duplicate'), 0),
                   coalesce(sum(value) FILTER (WHERE counter = 'rejected'), 0)
            FROM pipeline_accounting GROUP BY district""")) {
      while (rs.next()) {
        long received = rs.getLong(2);
        long stored = rs.getLong(3);
        long duplicate = rs.getLong(4);
        long rejected = rs.getLong(5);
        Assertions.assertThat(received)
            .as("district %s: received = stored + duplicate + rejected", rs.getString(1))
            .isEqualTo(stored + duplicate + rejected);
        total[0] += received;
        total[1] += stored;
        total[2] += duplicate;
        total[3] += rejected;
      }
    }
    Assertions.assertThat(total[1])
        .as("stored in the accounting = rows")
        .isEqualTo(storedRows(services));
    Assertions.assertThat(total[3])
        .as("rejected in the accounting = dead letters")
        .isEqualTo(query(services, "SELECT count(*) FROM dead_letter"));
    return total;
  }

  static long query(TestServices services, String sql) throws Exception {
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Cancels the job and deletes its lanes' broker sessions (a clean connect ends a persistent
   * session).
   */
  @Override
  public void close() throws Exception {
    job.cancel().get();
    LaneSessions.end(source);
  }
}
