package io.citybrain.app;

import io.citybrain.embedded.FreePort;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.stream.CityJob;
import io.citybrain.stream.CityJobConfig;
import io.citybrain.stream.CityJobIo;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The city job on an in-process Flink MiniCluster: the demo's way of running what `flink run` runs
 * on a cluster.
 */
final class StreamJobRunner implements AutoCloseable {
  private final JobClient job;

  private StreamJobRunner(JobClient job) {
    this.job = job;
  }

  /** As {@link #start(CityJobConfig, CitySeeds, MiniClusterNetwork)} on loopback, free ports. */
  static StreamJobRunner start(CityJobConfig config, CitySeeds seeds) throws Exception {
    return start(
        config, seeds, new MiniClusterNetwork("127.0.0.1", FreePort.find(), FreePort.find()));
  }

  /**
   * Submits the job on the real ends (the configured broker and database) and waits until it runs;
   * fails with the job's own message if it cannot start.
   */
  static StreamJobRunner start(CityJobConfig config, CitySeeds seeds, MiniClusterNetwork network)
      throws Exception {
    return start(config, seeds, network, Optional.empty());
  }

  /**
   * As {@link #start(CityJobConfig, CitySeeds, MiniClusterNetwork)}, restored from {@code restore}
   * (a savepoint or a retained checkpoint's chk-N directory) when given.
   */
  static StreamJobRunner start(
      CityJobConfig config, CitySeeds seeds, MiniClusterNetwork network, Optional<String> restore)
      throws Exception {
    Configuration flink = network.configuration();
    restore.ifPresent(path -> flink.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
    new CityJob(config, seeds, CityJobIo.of(config)).build(env);
    JobClient job = env.executeAsync("citybrain-city");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JobStatus status;
    while ((status = job.getJobStatus().get(10, TimeUnit.SECONDS)) != JobStatus.RUNNING) {
      if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
        job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
        throw new IllegalStateException("the stream job did not start: " + status);
      }
      Thread.sleep(100);
    }
    return new StreamJobRunner(job);
  }

  JobID jobId() {
    return job.getJobID();
  }

  /** Blocks until the job has ended (failed for good, or cancelled by {@link #close()}). */
  void awaitEnd() throws InterruptedException {
    try {
      job.getJobExecutionResult().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the stream job ended: " + rootMessage(e), e);
    }
  }

  /** Cancels the job, for a shutdown hook: a job that has ended already is no error. */
  void closeQuietly() {
    try {
      close();
    } catch (Exception e) {
      // The job is gone either way.
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  @Override
  public void close() throws Exception {
    job.cancel().get(30, TimeUnit.SECONDS);
  }
}
