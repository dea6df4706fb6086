package io.citybrain.app.kill;

import static org.awaitility.Awaitility.await;

import io.citybrain.app.ListeningSockets;
import io.citybrain.ingest.source.LaneSessions;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.simulators.SimReport;
import io.citybrain.simulators.SimRun;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.stream.CityJobConfig;
import io.citybrain.stream.dedup.Deduplicate;
import io.citybrain.stream.situation.DistrictSituation;
import io.citybrain.testkit.FlinkProcessCluster;
import io.citybrain.testkit.TestServices;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The kill suite's bench: a test class's database with the city's registry, a Mosquitto of its own
 * (the shipped configuration), a Flink cluster of separate JVMs, and runs of the kill input through
 * the job jar on that cluster, uninterrupted or with kills. The uninterrupted run of an input is
 * made once per JVM and shared by the suite's classes.
 */
final class KillBench implements AutoCloseable {
  private static final Map<KillSizes, RunResult> REFERENCES = new ConcurrentHashMap<>();

  final TestServices services;
  final CitySeeds seeds = SeedLoader.load();
  final KillInput input;
  final TestServices.OwnBroker broker;
  final FlinkProcessCluster flink;
  final Random random;

  /** What one run gave: the results, the exactness figures, the kills, the publisher's report. */
  record RunResult(
      String name,
      RunOutcome outcome,
      Exactness exactness,
      List<Kill> kills,
      long published,
      long publishErrors,
      Lateness lateness,
      double seconds) {
    String summary() {
      return String.format(
          "%s: %s; %s; publisher errors %d; %s; %.0f s",
          name,
          exactness.summary(),
          Recoveries.summary(kills),
          publishErrors,
          lateness.summary(),
          seconds);
    }
  }

  /**
   * The job's own lateness counters (since its tasks last started): new items (not repeats) that
   * came behind the watermark, and window results that came after their picture. Above zero, a
   * picture may differ from another run's for a reason no kill caused: the input's skew exceeded
   * the bound.
   */
  record Lateness(long behindWatermark, long afterPicture) {
    static Lateness of(ClusterJob job) {
      return new Lateness(
          job.operatorCounter(Deduplicate.BEHIND_METRIC),
          job.operatorCounter(DistrictSituation.AFTER_PICTURE_METRIC));
    }

    String summary() {
      return String.format(
          "new items behind the watermark %d, window results after their picture %d (the job's"
              + " last start)",
          behindWatermark, afterPicture);
    }
  }

  /** What a run's kills can reach while the simulator publishes. */
  interface Killer {
    void killDuring(Run run) throws Exception;
  }

  private KillBench(TestServices services, int taskManagers, Path workDir) {
    this.services = services;
    KillSizes sizes = KillSizes.fromSystemProperties();
    this.random = new Random(sizes.seed());
    Schema.migrate(services.dataSource());
    RegistrySync.sync(services.dataSource(), seeds, FleetExpander.expand(seeds));
    this.input = KillInput.of(sizes, services);
    this.broker = services.ownMosquitto();
    this.flink =
        FlinkProcessCluster.builder(workDir)
            .taskManagers(taskManagers)
            .slotsPerTaskManager(1)
            .stateBackend("rocksdb")
            // A dead TaskManager is declared lost after 5 s without a heartbeat (sooner when its
            // connections refuse), restarts 1 s apart: quick recovery on a loaded machine.
            .option("heartbeat.interval", "1000")
            .option("heartbeat.timeout", "5000")
            .option("restart-strategy.type", "fixed-delay")
            .option("restart-strategy.fixed-delay.attempts", "2147483647")
            .option("restart-strategy.fixed-delay.delay", "1 s")
            // A TaskManager whose JobManager died retries its registration at most 1 s apart
            // (Flink's default backs off to 30 s), so a restarted JobManager has its slots soon.
            .option("cluster.registration.max-timeout", "1000")
            .option("cluster.registration.error-delay", "1000")
            .option("cluster.registration.refused-registration-delay", "1000")
            .start();
    System.out.printf(
        "kill bench: %,d readings wanted, %d simulated s at %.0fx (~%.0f s of publishing); "
            + "Flink REST %s, %d TaskManagers; broker %s%n",
        sizes.readings(),
        input.simulatedSeconds(),
        sizes.speed(),
        input.publishingSeconds(),
        flink.restUrl(),
        taskManagers,
        broker.url());
  }

  static KillBench start(TestServices services, int taskManagers, Path workDir) {
    return new KillBench(services, taskManagers, workDir);
  }

  /** The uninterrupted run of this bench's input: made here once per JVM, or the earlier one. */
  RunResult reference() throws Exception {
    synchronized (REFERENCES) {
      RunResult known = REFERENCES.get(input.sizes());
      if (known != null) {
        System.out.println("reference: the uninterrupted run made earlier in this JVM");
        return known;
      }
      RunResult made = run("uninterrupted", run -> {});
      REFERENCES.put(input.sizes(), made);
      return made;
    }
  }

  /** Runs the input through the job once, with {@code killer} acting while the simulator runs. */
  RunResult run(String name, Killer killer) throws Exception {
    long t0 = System.nanoTime();
    reset();
    KillJob job =
        new KillJob(
            services, broker.url(), services.uniqueId("kill-" + name), flink.checkpointDir());
    CityJobConfig config = job.config(seeds);
    // The lanes' sessions exist before the job deploys: nothing published early is lost.
    LaneSessions.open(config.source());
    ExecutorService publisher = Executors.newSingleThreadExecutor();
    try (ResultWatcher watcher = new ResultWatcher(services, broker.url())) {
      Run run = new Run(job, ClusterJob.submit(flink.restUrl(), null, job.args()));
      run.awaitTasksRunning(run.current.get(), Duration.ofMinutes(2));
      SimRun sim = input.simulator(services, broker.url());
      Future<SimReport> published =
          publisher.submit(
              () -> {
                try (sim) {
                  return sim.run();
                } finally {
                  run.publishing = false;
                }
              });
      run.publishingSince = System.currentTimeMillis();
      killer.killDuring(run);
      run.awaitRestarted();
      SimReport report = published.get();
      System.out.printf(
          "%s: published %,d messages (%s) in %.1f s, %d errors%n",
          name, report.published(), report.publishedByClass(), report.durationS(), report.errors());
      caughtUp(report.published());
      settled(watcher);
      RunOutcome outcome = RunOutcome.collect(watcher.received(), services.dataSource());
      Exactness exactness = Exactness.check(services.dataSource(), report.published());
      Lateness lateness = Lateness.of(run.current.get());
      run.current.get().cancel();
      RunResult result =
          new RunResult(
              name,
              outcome,
              exactness,
              List.copyOf(run.kills),
              report.published(),
              report.errors(),
              lateness,
              (System.nanoTime() - t0) / 1e9);
      System.out.println(result.summary());
      return result;
    } finally {
      publisher.shutdownNow();
      LaneSessions.end(config.source());
    }
  }

  /** A run in progress: its job on the cluster (a new one after a resubmission) and its kills. */
  final class Run {
    final KillJob job;
    final AtomicReference<ClusterJob> current = new AtomicReference<>();
    final List<Kill> kills = new ArrayList<>();
    volatile boolean publishing = true;
    volatile long publishingSince;
    private CompletableFuture<Void> restarting;

    Run(KillJob job, ClusterJob first) {
      this.job = job;
      current.set(first);
    }

    KillBench bench() {
      return KillBench.this;
    }

    /**
     * Waits until {@code at} (a share of the expected publishing time) and until the job has
     * completed {@code checkpoints} more checkpoints: a kill then always has progress to lose.
     */
    void awaitKillPoint(double share, int checkpoints) {
      long due = publishingSince + (long) (input.publishingSeconds() * 1000 * share);
      ClusterJob j = current.get();
      long completed = j.completedCheckpoints();
      await("the kill point (" + share + " of publishing, " + checkpoints + " checkpoints)")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  System.currentTimeMillis() >= due
                      && j.completedCheckpoints() >= completed + checkpoints);
    }

    /**
     * Kills a random TaskManager that runs part of the job (SIGKILL), waits until the job has
     * restarted and stored a new row, then starts the TaskManager again.
     */
    Kill killTaskManager() throws Exception {
      // The cluster's process handles are not made for concurrent use: the last start first.
      awaitRestarted();
      ClusterJob j = current.get();
      Set<Integer> busy = settledBusyPorts(j);
      List<Integer> candidates = new ArrayList<>();
      for (int i = 0; i < flink.taskManagers(); i++) {
        if (flink.taskManagerRunning(i) && listensOnAny(flink.taskManagerPid(i), busy)) {
          candidates.add(i);
        }
      }
      if (candidates.isEmpty()) {
        throw new IllegalStateException(
            "no running TaskManager listens on the job's data ports " + busy);
      }
      int victim = candidates.get(random.nextInt(candidates.size()));
      long restartsBefore = j.restarts();
      boolean during = publishing;
      long at = System.currentTimeMillis();
      flink.killTaskManager(victim);
      // Started again at once, beside the recovery (which needs only the spare): the next kill
      // waits for it.
      restarting =
          CompletableFuture.runAsync(
              () -> {
                // First the JobManager forgets the dead one (its heartbeat times out): until
                // then the count of registered TaskManagers would already match with the new JVM
                // still starting.
                flink.awaitTaskManagers(flink.taskManagers() - 1);
                flink.startTaskManager(victim);
                System.out.printf(
                    "  after the kill: taskmanager-%d started again and registered %.1f s%n",
                    victim, (System.currentTimeMillis() - at) / 1000.0);
              });
      try {
        await("the job restarted after TaskManager " + victim + " was killed")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> j.restarts() > restartsBefore && j.allTasksRunning());
      } catch (ConditionTimeoutException e) {
        // The cluster's files go with the test's temporary directory: what it said goes here.
        throw new AssertionError(
            "%s; job %s, restarts %d (before the kill %d), TaskManagers registered %d; the processes' logs:%n%s"
                .formatted(
                    e.getMessage(),
                    j.state().orElse("unknown"),
                    j.restarts(),
                    restartsBefore,
                    flink.taskManagers(),
                    flink.logTails()),
            e);
      }
      long running = System.currentTimeMillis();
      long recovery = firstStoredAfter(running, at, during);
      System.out.printf(
          "  after the kill: the job's tasks running again %.1f s%n", (running - at) / 1000.0);
      Kill kill = new Kill("taskmanager-" + victim, at, during, recovery);
      kills.add(kill);
      System.out.printf(
          "kill %d: %s at +%.1f s%s, recovered (first newly stored row) in %s%n",
          kills.size(),
          kill.what(),
          (at - publishingSince) / 1000.0,
          during ? " while publishing" : " after publishing",
          recovery < 0 ? "-" : String.format("%.1f s", recovery / 1000.0));
      return kill;
    }

    /**
     * Kills the JobManager (and with {@code wholeCluster} every TaskManager too), starts them
     * again, and resubmits the job from its latest retained checkpoint, as an operator would.
     */
    Kill killJobManager(boolean wholeCluster) throws Exception {
      ClusterJob j = current.get();
      boolean during = publishing;
      long at = System.currentTimeMillis();
      flink.killJobManager();
      if (wholeCluster) {
        for (int i = 0; i < flink.taskManagers(); i++) {
          flink.killTaskManager(i);
        }
      }
      Path checkpoint =
          ClusterJob.latestCheckpoint(flink.checkpointDir(), j.id)
              .orElseThrow(() -> new AssertionError("no retained checkpoint of job " + j.id));
      flink.startJobManager();
      long jobManagerUp = System.currentTimeMillis();
      if (wholeCluster) {
        // One after the other: the cluster's process handles are not made for concurrent starts.
        for (int i = 0; i < flink.taskManagers(); i++) {
          flink.startTaskManager(i);
        }
      }
      long clusterUp = System.currentTimeMillis();
      ClusterJob resumed = ClusterJob.submit(flink.restUrl(), checkpoint, job.args());
      long submitted = System.currentTimeMillis();
      current.set(resumed);
      awaitTasksRunning(resumed, Duration.ofMinutes(2));
      long running = System.currentTimeMillis();
      long recovery = firstStoredAfter(running, at, during);
      System.out.printf(
          "  after the kill: JobManager answering %.1f s, TaskManagers registered %.1f s, job"
              + " submitted %.1f s, its tasks running %.1f s%n",
          (jobManagerUp - at) / 1000.0,
          (clusterUp - at) / 1000.0,
          (submitted - at) / 1000.0,
          (running - at) / 1000.0);
      String what = (wholeCluster ? "jobmanager+taskmanagers" : "jobmanager");
      Kill kill = new Kill(what, at, during, recovery);
      kills.add(kill);
      System.out.printf(
          "kill %d: %s at +%.1f s%s, resumed from %s, first newly stored row after %s%n",
          kills.size(),
          what,
          (at - publishingSince) / 1000.0,
          during ? " while publishing" : " after publishing",
          checkpoint.getFileName(),
          recovery < 0 ? "-" : String.format("%.1f s", recovery / 1000.0));
      return kill;
    }

    /** Waits until the TaskManager killed last is registered again. */
    /**
     * The data ports of the TaskManagers running the job, once the job has settled: every task
     * running and the same restarts and ports in two reads further apart than the REST cache's life
     * (web.refresh-interval, 3 s). A job can restart once more after a recovery (the 4th kill of a
     * soak found the job restarted again and its tasks moved: the ports read then were the previous
     * attempt's, and the kill hit an idle TaskManager).
     */
    private Set<Integer> settledBusyPorts(ClusterJob j) {
      return await("the job settled before a kill")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                long restarts = j.restarts();
                Set<Integer> first = j.busyDataPorts();
                Thread.sleep(3_500);
                Set<Integer> second = j.busyDataPorts();
                return j.allTasksRunning() && j.restarts() == restarts && first.equals(second)
                    ? second
                    : null;
              },
              ports -> ports != null && !ports.isEmpty());
    }

    void awaitRestarted() throws Exception {
      if (restarting != null) {
        restarting.get(3, TimeUnit.MINUTES);
        restarting = null;
      }
    }

    void awaitTasksRunning(ClusterJob j, Duration timeout) {
      await("every task of job " + j.id + " running")
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .until(j::allTasksRunning);
    }

    /**
     * Milliseconds from {@code killedAt} to the first row the recovered job stored: the first
     * accounting write of stored rows whose transaction began once every task of the new attempt
     * ran (at or after {@code runningAt}); -1 when none comes (within a minute while publishing, 15
     * s after).
     */
    private long firstStoredAfter(long runningAt, long killedAt, boolean whilePublishing) {
      try {
        long seen =
            await("a newly stored row")
                // Once publishing is over there may be nothing new left to store.
                .atMost(whilePublishing ? Duration.ofMinutes(1) : Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(
                    () -> {
                      long newest = newestStoredWriteMs();
                      return newest >= runningAt ? System.currentTimeMillis() : -1L;
                    },
                    t -> t > 0);
        return seen - killedAt;
      } catch (ConditionTimeoutException e) {
        return -1;
      }
    }
  }

  private long newestStoredWriteMs() throws SQLException {
    return Exactness.query(
        services.dataSource(),
        "SELECT coalesce((extract(epoch FROM max(updated_at)) * 1000)::bigint, 0)"
            + " FROM pipeline_accounting WHERE counter = 'stored'");
  }

  private static boolean listensOnAny(long pid, Set<Integer> ports) {
    try {
      for (InetSocketAddress a : ListeningSockets.ofProcess(pid)) {
        if (ports.contains(a.getPort())) {
          return true;
        }
      }
    } catch (java.io.IOException e) {
      return false;
    }
    return false;
  }

  /** Every identity the broker acknowledged is stored (or the wait gives up and the check says). */
  private void caughtUp(long published) {
    try {
      await("every published message stored")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  Exactness.query(
                          services.dataSource(),
                          "SELECT coalesce(sum(value), 0) FROM pipeline_accounting"
                              + " WHERE counter IN ('stored', 'late')")
                      >= published);
    } catch (ConditionTimeoutException e) {
      System.out.println("not every published message was stored within 3 min: " + e.getMessage());
    }
  }

  /** Nothing moves any more: the results published, the metrics and the accounting unchanged. */
  private void settled(ResultWatcher watcher) {
    AtomicLong last = new AtomicLong(-1);
    await("results settled")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(3))
        .until(
            () -> {
              long now =
                  watcher.received().size() * 1_000_003L
                      + Exactness.query(
                          services.dataSource(),
                          "SELECT (SELECT count(*) FROM district_metric)"
                              + " + (SELECT coalesce(sum(value), 0) FROM pipeline_accounting)"
                              + " + (SELECT count(*) FROM alert WHERE state = 'cleared')");
              return last.getAndSet(now) == now;
            });
  }

  private void reset() throws SQLException {
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "TRUNCATE reading, camera_event, heartbeat, dead_letter, dead_letter_key, district_metric,"
              + " district_event_count, district_snapshot, alert, incident, pipeline_accounting,"
              + " device_status, device_liveness_change, city_summary CASCADE");
    }
  }

  @Override
  public void close() {
    try {
      flink.close();
    } finally {
      broker.close();
    }
  }
}
