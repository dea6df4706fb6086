package io.citybrain.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.sink.RawIngestSink;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.source.MqttSource;
import io.citybrain.ingest.source.MqttSourceConfig;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.simulators.SimCommand;
import io.citybrain.simulators.SimReport;
import io.citybrain.simulators.SimRun;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The MQTT source's at-least-once promise end to end: the simulator publishes at QoS 1 through the real broker, a
 * MiniCluster job (parallelism 2, checkpoints every 500 ms) reads two lanes and writes the raw tables of the real
 * PostgreSQL, and the job is failed on purpose five times along the way. Every (device, seq) must be stored once.
 */
@ExtendWith(CityServicesExtension.class)
class MqttSourceIT {
  private static final int MESSAGES = 100_000;
  private static final long[] FAIL_AT = {8_000, 23_000, 41_000, 62_000, 85_000};

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  /** Counts records across restarts (the MiniCluster runs in this JVM) and fails the job at each threshold once. */
  static final AtomicLong SEEN = new AtomicLong();
  static final AtomicInteger FAILURES = new AtomicInteger();

  @Test
  @DisplayName("100,000 QoS 1 messages with 5 job failures: every (device, seq) stored exactly once, none lost")
  void atLeastOnceWithFailures(TestServices services) throws Exception {
    Schema.migrate(services.dataSource());
    CitySeeds seeds = SeedLoader.load();
    RegistrySync.sync(services.dataSource(), seeds, FleetExpander.expand(seeds));
    String prefix = services.uniqueId("ingest");

    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(500);
    boolean shared = !"false".equals(System.getProperty("citybrain.test.shared-subscription"));
    List<String> filters = shared ? List.of("city/v1/+/+/+")
        : seeds.districtCodes().stream().map(d -> "city/v1/" + d + "/+/+").toList();
    MqttSourceConfig source = new MqttSourceConfig(services.mqttUrl(), filters, prefix, 2, 1,
        60_000, Duration.ofHours(1), 20_000, shared);
    env.fromSource(new MqttSource(source), WatermarkStrategy.noWatermarks(), "mqtt")
        .map(new FailAtThresholds()).name("fail-on-purpose")
        .sinkTo(new RawIngestSink(services.jdbcUrl(), 2_000, Duration.ofMillis(200), Duration.ofMinutes(5)));
    JobClient job = env.executeAsync("mqtt-source-at-least-once");
    try {
      awaitRunning(job);
      // The lanes' sessions must exist before anything is published: a persistent session only queues what
      // arrives after it subscribed.
      Thread.sleep(3_000);
      SimReport report = publish(services);
      assertThat(report.published()).isEqualTo(MESSAGES);
      assertThat(report.errors()).isZero();

      long deadline = System.currentTimeMillis() + 180_000;
      while (storedRows(services) < MESSAGES && System.currentTimeMillis() < deadline) {
        Thread.sleep(500);
      }
      assertThat(FAILURES.get()).as("job failures injected").isEqualTo(FAIL_AT.length);
      assertThat(storedRows(services)).as("rows stored").isEqualTo(MESSAGES);
      assertThat(query(services, "SELECT count(*) FROM (SELECT device_id, seq FROM reading UNION ALL "
          + "SELECT device_id, seq FROM camera_event UNION ALL SELECT device_id, seq FROM heartbeat) ids"))
          .isEqualTo(MESSAGES);
      assertThat(query(services, "SELECT count(*) FROM (SELECT DISTINCT device_id, seq FROM (SELECT device_id, seq "
          + "FROM reading UNION ALL SELECT device_id, seq FROM camera_event UNION ALL SELECT device_id, seq "
          + "FROM heartbeat) ids) d")).as("distinct (device, seq)").isEqualTo(MESSAGES);
      assertThat(query(services, "SELECT count(*) FROM dead_letter")).isZero();
      assertThat(SEEN.get()).as("records seen, replays included").isGreaterThanOrEqualTo(MESSAGES);
    } finally {
      job.cancel().get();
    }
  }

  private static SimReport publish(TestServices services) throws InterruptedException {
    SimCommand command = new SimCommand();
    new CommandLine(command).parseArgs("--broker", services.mqttUrl(), "--client-id", services.uniqueId("sim"),
        "--count", Integer.toString(MESSAGES), "--rate", "10000", "--qos", "1", "--no-actuators", "--connections", "2");
    try (SimRun run = new SimRun(command.config(), null)) {
      return run.run();
    }
  }

  private static void awaitRunning(JobClient job) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (job.getJobStatus().get() != JobStatus.RUNNING && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
  }

  private static long storedRows(TestServices services) throws Exception {
    return query(services, "SELECT (SELECT count(*) FROM reading) + (SELECT count(*) FROM camera_event) "
        + "+ (SELECT count(*) FROM heartbeat)");
  }

  private static long query(TestServices services, String sql) throws Exception {
    try (Connection c = services.dataSource().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Throws when the records seen (across restarts) pass each threshold, once per threshold. */
  static final class FailAtThresholds implements MapFunction<MqttRecord, MqttRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public MqttRecord map(MqttRecord record) {
      long seen = SEEN.incrementAndGet();
      int failures = FAILURES.get();
      if (failures < FAIL_AT.length && seen >= FAIL_AT[failures] && FAILURES.compareAndSet(failures, failures + 1)) {
        throw new IllegalStateException("failure " + (failures + 1) + " on purpose, after " + seen + " records");
      }
      return record;
    }
  }
}
