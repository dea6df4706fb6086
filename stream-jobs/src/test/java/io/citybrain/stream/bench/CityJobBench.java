package io.citybrain.stream.bench;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.access.BrokerLogin;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.ingest.source.LaneSessions;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.simulators.SimCommand;
import io.citybrain.simulators.SimReport;
import io.citybrain.simulators.SimRun;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.stream.CityJob;
import io.citybrain.stream.CityJobConfig;
import io.citybrain.stream.CityJobIo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;

/**
 * The whole city job on a MiniCluster (parallelism 2, QoS 1, checkpoints every second) with the
 * real broker and PostgreSQL: (1) live: the simulator publishes flat out while the job runs, timed
 * until every message is stored and counted; (2) drain: a backlog queued on the broker while the
 * job was down, timed from the first stored row to the last (the job's ceiling, the publisher no
 * longer sharing the cores); (3) at about half the drain rate, the latency from publish to the
 * district's live snapshot on its MQTT topic, measured from the window's end. Not a test: run by
 * bench/city-job.sh. Arguments: admin JDBC URL, broker URL, messages for the throughput run,
 * seconds for the latency run.
 */
public final class CityJobBench {
  private CityJobBench() {}

  public static void main(String[] args) throws Exception {
    String admin = args[0];
    String broker = args[1];
    long messages = Long.parseLong(args[2]);
    int latencySeconds = Integer.parseInt(args[3]);
    CitySeeds seeds = SeedLoader.load();
    throughput(admin, broker, seeds, messages);
    double max = drain(admin, broker, seeds, messages);
    latency(admin, broker, seeds, max / 2, latencySeconds);
    System.exit(0);
  }

  private static double throughput(String admin, String broker, CitySeeds seeds, long messages)
      throws Exception {
    String url = freshDatabase(admin, seeds);
    try (Running job = Running.start(broker, url, seeds)) {
      long t0 = System.nanoTime();
      SimReport report = simulate(broker, "--rate", "max", "--count", String.valueOf(messages));
      double publishS = (System.nanoTime() - t0) / 1e9;
      long deadline = System.currentTimeMillis() + 600_000;
      long received;
      while ((received =
                  count(
                      url,
                      "SELECT coalesce(sum(value), 0) FROM pipeline_accounting WHERE counter = "
                          + "'received'"))
              < report.published()
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      double totalS = (System.nanoTime() - t0) / 1e9;
      double rate = received / totalS;
      System.out.printf(
          Locale.ROOT,
          "throughput: %,d messages published in %.1f s (%,.0f msg/s); all %,d stored "
              + "and counted after %.1f s: %,.0f msg/s end to end%n",
          report.published(),
          publishS,
          report.published() / publishS,
          received,
          totalS,
          rate);
      System.out.printf(
          Locale.ROOT,
          "throughput: district_metric rows %,d, snapshots %,d%n",
          count(url, "SELECT count(*) FROM district_metric"),
          count(url, "SELECT count(*) FROM district_snapshot"));
      return rate;
    }
  }

  /**
   * The job's own ceiling: a backlog queued on the broker for its lanes while it was down, drained
   * on restart.
   */
  private static double drain(String admin, String broker, CitySeeds seeds, long messages)
      throws Exception {
    String url = freshDatabase(admin, seeds);
    String prefix = "bench-drain-" + System.nanoTime();
    Running first = Running.start(broker, url, seeds, prefix);
    first.job().cancel().get();
    SimReport report = simulate(broker, "--rate", "max", "--count", String.valueOf(messages));
    long t0 = System.nanoTime();
    try (Running job = Running.start(broker, url, seeds, prefix)) {
      long firstAt = 0;
      long received = 0;
      long deadline = System.currentTimeMillis() + 600_000;
      while (received < report.published() && System.currentTimeMillis() < deadline) {
        received =
            count(
                url,
                "SELECT coalesce(sum(value), 0) FROM pipeline_accounting WHERE counter = 'received'");
        if (received > 0 && firstAt == 0) {
          firstAt = System.nanoTime();
        }
        Thread.sleep(50);
      }
      long done = System.nanoTime();
      System.out.printf(
          Locale.ROOT,
          "drain: a backlog of %,d messages queued while the job was down; all stored and "
              + "counted %.1f s after the restart began, %.1f s after the first was stored: %,.0f msg/s end to end%n",
          received,
          (done - t0) / 1e9,
          (done - firstAt) / 1e9,
          received / ((done - firstAt) / 1e9));
      return received / ((done - firstAt) / 1e9);
    }
  }

  private static void latency(
      String admin, String broker, CitySeeds seeds, double rate, int seconds) throws Exception {
    String url = freshDatabase(admin, seeds);
    Histogram fromWindowEnd = new Histogram(3_600_000L, 3);
    long warmUpEnd = System.currentTimeMillis() + 15_000;
    List<Long> samples = new ArrayList<>();
    try (Running job = Running.start(broker, url, seeds);
        MqttConnection watch =
            PahoConnection.connect(
                MqttSettings.of(broker, "bench-watch-" + System.nanoTime())
                    .withLogin(BrokerLogin.of(installation(), Principal.observer())))) {
      watch.subscribe(
          "city/v1/+/live",
          0,
          (topic, payload) -> {
            long now = System.currentTimeMillis();
            try {
              long end =
                  topic.equals("city/v1/city/live")
                      ? -1
                      : DistrictSnapshot.parseFrom(payload).getWindowEndMs();
              if (end > warmUpEnd) {
                synchronized (fromWindowEnd) {
                  fromWindowEnd.recordValue(Math.max(0, now - end));
                  samples.add(now - end);
                }
              }
            } catch (InvalidProtocolBufferException e) {
              // Not a snapshot (a cleared retained topic): not a sample.
            }
          });
      SimReport report =
          simulate(
              broker,
              "--rate",
              String.format(Locale.ROOT, "%.0f", rate),
              "--duration",
              seconds + "s");
      Thread.sleep(10_000);
      synchronized (fromWindowEnd) {
        System.out.printf(
            Locale.ROOT,
            "latency: %,d messages at %,.0f msg/s (%.0f requested) for %d s; %,d live "
                + "snapshots after warm-up%n",
            report.published(),
            report.achievedRate(),
            rate,
            seconds,
            fromWindowEnd.getTotalCount());
        System.out.printf(
            Locale.ROOT,
            "latency: publish -> live snapshot on its topic, from the window's end: "
                + "p50 %,d ms, p99 %,d ms, max %,d ms (out-of-orderness bound %d ms included)%n",
            fromWindowEnd.getValueAtPercentile(50),
            fromWindowEnd.getValueAtPercentile(99),
            fromWindowEnd.getMaxValue(),
            CityJobConfig.DEFAULT_OUT_OF_ORDERNESS.toMillis());
      }
    }
  }

  /**
   * The broker's installation: the folder in env CITYBRAIN_CREDENTIALS (a broker refuses others).
   */
  static Installation installation() {
    String folder = System.getenv("CITYBRAIN_CREDENTIALS");
    if (folder == null) {
      throw new IllegalStateException(
          "set CITYBRAIN_CREDENTIALS to the broker's installation folder (citybrain provision --out"
              + " DIR makes one)");
    }
    return Installation.load(Path.of(folder));
  }

  private static SimReport simulate(String broker, String... flags) throws InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--broker",
                broker,
                "--credentials",
                installation().folder().toString(),
                "--client-id",
                "bench-sim-" + System.nanoTime(),
                "--no-actuators",
                "--connections",
                "8",
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

  private static String freshDatabase(String admin, CitySeeds seeds) throws Exception {
    String database = "citybrain_bench_" + System.currentTimeMillis();
    try (Connection c = DriverManager.getConnection(admin);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + database);
    }
    String url = admin.replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1");
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    Schema.migrate(ds);
    RegistrySync.sync(ds, seeds, FleetExpander.expand(seeds));
    return url;
  }

  private static long count(String url, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The job running on a MiniCluster; close cancels it and ends its lanes' broker sessions. */
  private record Running(JobClient job, CityJobConfig config) implements AutoCloseable {
    static Running start(String broker, String url, CitySeeds seeds) throws Exception {
      return start(broker, url, seeds, "bench-city-" + System.nanoTime());
    }

    static Running start(String broker, String url, CitySeeds seeds, String clientIdPrefix)
        throws Exception {
      CityJobConfig config =
          CityJobConfig.builder()
              .mqttUrl(broker)
              .mqttLogin(BrokerLogin.of(installation(), Principal.job()))
              .jdbcUrl(url)
              .districts(seeds.districtCodes())
              .clientIdPrefix(clientIdPrefix)
              .sessionExpiry(Duration.ofMinutes(30))
              .checkpointInterval(Duration.ofSeconds(1))
              .build();
      // The lanes' sessions exist before the job deploys: nothing published early is lost.
      LaneSessions.open(config.source());
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      new CityJob(config, seeds, CityJobIo.of(config)).build(env);
      JobClient job = env.executeAsync("city-bench");
      await("the city job running")
          .atMost(Duration.ofMinutes(1))
          .until(() -> job.getJobStatus().get() == JobStatus.RUNNING);
      return new Running(job, config);
    }

    @Override
    public void close() throws Exception {
      job.cancel().get();
      LaneSessions.end(config.source());
    }
  }
}
