package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.ingest.source.LaneSessions;
import io.citybrain.simulators.SimReport;
import io.citybrain.stream.deploy.JobJarSubmitter;
import io.citybrain.stream.deploy.RetainedCheckpoints;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.FlinkProcessCluster;
import io.citybrain.testkit.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job jar as a cluster runs it: a Flink session cluster of separate JVMs (testkit's {@link
 * FlinkProcessCluster}: 1 JobManager, 2 TaskManagers of 1 slot, RocksDB), the shaded jar submitted
 * to its REST endpoint as {@code flink run -d} does ({@link JobJarSubmitter}), nothing of the job
 * on the cluster's classpath; results reach the database. Then the JobManager is killed (SIGKILL)
 * and the job resumed from its latest retained checkpoint.
 */
@ExtendWith(CityServicesExtension.class)
class JobJarIT {
  static final Path JAR = Path.of("target/citybrain-stream-job.jar");

  /** Under target/, so that the cluster's logs outlive a failed run. */
  static final Path CLUSTER_DIR = Path.of("target/flink-cluster-JobJarIT");

  static FlinkProcessCluster flink;
  static JobJarSubmitter submitter;
  final List<JobID> submitted = new ArrayList<>();

  @BeforeAll
  static void cluster(TestServices services) {
    CityJobRun.prepareDatabase(services);
    // No restarts: a job jar that fails once (a class it cannot load, a driver it cannot find)
    // fails the test with Flink's own message.
    flink =
        FlinkProcessCluster.builder(fresh(CLUSTER_DIR))
            .taskManagers(2)
            .slotsPerTaskManager(1)
            .stateBackend("rocksdb")
            .option("restart-strategy.type", "none")
            .start();
    submitter = JobJarSubmitter.connect(flink.restUrl());
  }

  /** A test that failed halfway leaves no job holding the slots. */
  @AfterEach
  void cancelJobs() {
    for (JobID job : submitted) {
      // A job of the killed JobManager is gone with it.
      boolean known = submitter.listJobs().stream().anyMatch(j -> j.getJobId().equals(job));
      if (known && !submitter.status(job).isGloballyTerminalState()) {
        submitter.cancel(job);
      }
    }
    submitted.clear();
  }

  @AfterAll
  static void stop() {
    if (submitter != null) {
      submitter.close();
    }
    if (flink != null) {
      flink.close();
    }
  }

  @Test
  @DisplayName(
      "the job jar submitted to a cluster of separate JVMs runs the city job; telemetry becomes"
          + " metrics; a cancelled job leaves its checkpoint")
  void submittedJar(TestServices services) throws Exception {
    assertJarContents();
    String clientId = services.uniqueId("jar");
    LaneSessions.open(lanes(services, clientId).source());
    JobID job = submit(services, clientId, Optional.empty());
    submitter.awaitRunning(job, Duration.ofMinutes(2));
    assertThat(submitter.restoredFrom(job)).as("a new job starts empty").isEmpty();

    CityJobRun.simulate(
        services,
        services.mqttUrl(),
        "--districts",
        "FT",
        "--speed",
        "20",
        "--duration",
        "90s",
        "--start-time",
        "2025-06-01T02:00:00Z");
    long metrics =
        CityJobRun.awaitAtLeast(
            services,
            "SELECT count(*) FROM district_metric WHERE district = 'FT' AND resolution_s = 10"
                + " AND window_start < '2025-06-01T03:00:00Z'",
            21,
            Duration.ofMinutes(2));
    assertThat(metrics).as("10 s metric rows for Futian").isGreaterThan(20);
    CityJobRun.awaitAtLeast(
        services,
        "SELECT count(*) FROM district_snapshot WHERE district = 'FT'",
        1,
        Duration.ofMinutes(1));
    assertThat(submitter.status(job)).isEqualTo(JobStatus.RUNNING);
    await("a completed checkpoint")
        .atMost(Duration.ofMinutes(1))
        .until(() -> submitter.completedCheckpoints(job) > 0);
    submitter.cancel(job);
    await("job cancelled")
        .atMost(Duration.ofMinutes(1))
        .until(() -> submitter.status(job) == JobStatus.CANCELED);
    assertThat(RetainedCheckpoints.latest(flink.checkpointDir()))
        .as("retained on cancellation")
        .hasValueSatisfying(
            chk -> {
              assertThat(chk.getParent().getFileName()).hasToString(job.toString());
              assertThat(chk.resolve(RetainedCheckpoints.METADATA)).isRegularFile();
            });
    LaneSessions.end(lanes(services, clientId).source());
  }

  @Test
  @DisplayName(
      "kill -9 of the JobManager while the simulator publishes, restarted: the job resumes from the"
          + " latest retained checkpoint, stores rows again, and every closed 1 min window equals"
          + " the recomputation from the raw rows")
  void resumesAfterJobManagerKill(TestServices services) throws Exception {
    String clientId = services.uniqueId("resume");
    LaneSessions.open(lanes(services, clientId).source());
    JobID first = submit(services, clientId, Optional.empty());
    submitter.awaitRunning(first, Duration.ofMinutes(2));
    // One simulator run across the kill (one boot id, seqs counting on): 10 min of Futian's event
    // time at 10x, about a minute of wall time. What it publishes while the JobManager is down
    // waits in the lanes' broker sessions.
    CompletableFuture<SimReport> simulator =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return CityJobRun.simulate(
                    services,
                    services.mqttUrl(),
                    "--districts",
                    "FT",
                    "--speed",
                    "10",
                    "--duration",
                    "600s",
                    "--start-time",
                    "2025-06-01T04:00:00Z");
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    CityJobRun.awaitAtLeast(services, FUTIAN_ROWS, 500, Duration.ofMinutes(2));
    long checkpoints = submitter.completedCheckpoints(first);
    await("a checkpoint with readings in it")
        .atMost(Duration.ofMinutes(1))
        .until(() -> submitter.completedCheckpoints(first) >= checkpoints + 1);

    long jobManager = flink.jobManagerPid();
    flink.killJobManager();
    assertThat(ProcessHandle.of(jobManager).filter(ProcessHandle::isAlive)).isEmpty();
    long atKill = CityJobRun.query(services, FUTIAN_ROWS);
    flink.startJobManager();
    Path latest = RetainedCheckpoints.latest(flink.checkpointDir()).orElseThrow();
    assertThat(latest.getParent().getFileName())
        .as("the killed job's checkpoint")
        .hasToString(first.toString());

    JobID resumed = submit(services, clientId, Optional.of(latest.toUri().toString()));
    submitter.awaitRunning(resumed, Duration.ofMinutes(2));
    assertThat(resumed).isNotEqualTo(first);
    assertThat(submitter.restoredFrom(resumed))
        .as("restored from the latest retained checkpoint")
        .hasValueSatisfying(p -> assertThat(p).endsWith(first + "/" + latest.getFileName()));

    SimReport sim = simulator.get(5, TimeUnit.MINUTES);
    assertThat(sim.errors()).as("simulator errors").isZero();
    long stored =
        CityJobRun.awaitStable(services, FUTIAN_ROWS, Duration.ofSeconds(5), Duration.ofMinutes(3));
    assertThat(stored).as("rows stored after the resume").isGreaterThan(atKill);
    long compared = CityJobRun.query(services, CLOSED_WINDOWS);
    assertThat(compared).as("closed 1 min windows compared").isGreaterThanOrEqualTo(5);
    try {
      await("every closed 1 min window equals the recomputation")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> assertThat(CityJobRun.strings(services, WINDOW_MISMATCHES)).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + diagnostics(services), e);
    }
    submitter.cancel(resumed);
    LaneSessions.end(lanes(services, clientId).source());
  }

  /** Futian's raw readings of the resume test (from 04:00). */
  static final String FUTIAN_ROWS =
      "SELECT count(*) FROM reading WHERE district = 'FT' AND event_time >= '2025-06-01T04:00:00Z'";

  /** A window is closed 200 s of event time before the newest reading (as CityScenarioIT's). */
  static final String CLOSED =
      "date_bin('60 seconds', event_time, TIMESTAMPTZ 'epoch') >= '2025-06-01T04:00:00Z'"
          + " AND date_bin('60 seconds', event_time, TIMESTAMPTZ 'epoch')"
          + " < (SELECT max(event_time) FROM reading) - INTERVAL '200 seconds'";

  static final String CLOSED_WINDOWS =
      "SELECT count(DISTINCT date_bin('60 seconds', event_time, TIMESTAMPTZ 'epoch')) FROM reading"
          + " WHERE district = 'FT' AND NOT late AND "
          + CLOSED;

  /** Futian's closed 1 min windows from 04:00 that differ from the recomputation from raw rows. */
  static final String WINDOW_MISMATCHES =
      """
      WITH r AS (
        SELECT metric, date_bin('60 seconds', event_time, TIMESTAMPTZ 'epoch') AS ws,
               count(*) AS n, min(value) AS mn, max(value) AS mx, avg(value) AS av
        FROM reading WHERE NOT late AND district = 'FT' AND event_time >= '2025-06-01T04:00:00Z'
        GROUP BY 1, 2),
      m AS (SELECT * FROM district_metric WHERE resolution_s = 60 AND district = 'FT'
          AND window_start >= '2025-06-01T04:00:00Z')
      SELECT coalesce(r.metric, m.metric) || ' ' || coalesce(r.ws, m.window_start)
             || ': recomputed ' || coalesce(r.n::text, '-') || ', stored ' || coalesce(m.count::text, '-')
      FROM r FULL JOIN m ON m.metric = r.metric AND m.window_start = r.ws
      WHERE coalesce(r.ws, m.window_start) < (SELECT max(event_time) FROM reading) - INTERVAL '200 seconds'
        AND (m.count IS DISTINCT FROM r.n OR m.min IS DISTINCT FROM r.mn OR m.max IS DISTINCT FROM r.mx
             OR r.av IS NULL OR m.mean IS NULL OR abs(m.mean - r.av) > 1e-9)
      ORDER BY 1""";

  /** What the job did with the readings, for a failure's message. */
  private static String diagnostics(TestServices services) throws Exception {
    return "accounting: "
        + CityJobRun.strings(
            services,
            "SELECT district || ' ' || counter || ' ' || reason || ' ' || value"
                + " FROM pipeline_accounting ORDER BY 1")
        + "\ndead letters: "
        + CityJobRun.strings(
            services,
            "SELECT reason || ' ' || count(*) || ' ' || min(detail) FROM dead_letter GROUP BY reason")
        + "\nnewest reading: "
        + CityJobRun.strings(services, "SELECT max(event_time)::text FROM reading")
        + "\njobs: "
        + submitter.listJobs();
  }

  /** An empty directory at {@code dir} (a previous run's files deleted). */
  private static Path fresh(Path dir) {
    try {
      if (Files.exists(dir)) {
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      return Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private JobID submit(TestServices services, String clientId, Optional<String> restore) {
    JobID job = submitter.submit(JAR, args(services, clientId), restore);
    submitted.add(job);
    return job;
  }

  /** The lanes the job opens (their broker sessions exist before it runs: nothing is lost). */
  private static CityJobConfig lanes(TestServices services, String clientId) {
    return CityJobRun.config(services, services.mqttUrl())
        .clientIdPrefix(clientId)
        .sessionExpiry(CityJobConfig.DEFAULT_SESSION_EXPIRY)
        .build();
  }

  /** The job's program arguments, as {@code flink run citybrain-stream-job.jar ARGS} takes them. */
  private static List<String> args(TestServices services, String clientId) {
    return new ArrayList<>(
        List.of(
            "--mqtt-url",
            services.mqttUrl(),
            "--credentials",
            services.credentials().toString(),
            "--db-url",
            services.jdbcUrl(),
            "--client-id",
            clientId,
            "--checkpoint-interval",
            "1s",
            "--state-backend",
            "rocksdb",
            "--checkpoint-dir",
            flink.checkpointDir().toUri().toString(),
            "--parallelism",
            "2"));
  }

  /** The cluster provides Flink; the jar brings the rest, and nothing of Flink itself. */
  private static void assertJarContents() throws Exception {
    assertThat(JAR).as("the shaded job jar (mvn package)").exists();
    try (var jar = new JarFile(JAR.toFile())) {
      Set<String> entries = new HashSet<>();
      jar.stream().forEach(e -> entries.add(e.getName()));
      for (String needed :
          List.of(
              "io/citybrain/stream/CityJobMain.class",
              "org/apache/flink/cep/CEP.class",
              "org/apache/flink/connector/jdbc/core/datastream/sink/JdbcSink.class",
              "org/postgresql/Driver.class",
              "io/citybrain/storage/Jdbc.class",
              "org/eclipse/paho/mqttv5/client/MqttAsyncClient.class",
              "com/google/protobuf/Message.class",
              "picocli/CommandLine.class",
              "seeds/districts.yaml",
              "META-INF/services/java.sql.Driver")) {
        assertThat(entries).as("shaded jar").contains(needed);
      }
      assertThat(entries)
          .as("Flink itself, and storage's migrations and pools, stay out of the jar")
          .noneMatch(
              e ->
                  e.startsWith("org/apache/flink/streaming/api/")
                      || e.startsWith("org/apache/flink/runtime/")
                      || e.startsWith("org/apache/flink/api/common/")
                      || e.startsWith("org/slf4j/")
                      || e.startsWith("org/flywaydb/")
                      || e.startsWith("com/zaxxer/")
                      || e.startsWith("ch/qos/logback/"));
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("io.citybrain.stream.CityJobMain");
    }
  }
}
