package io.citybrain.app;

import io.citybrain.embedded.FreePort;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.stream.CityJob;
import io.citybrain.stream.CityJobConfig;
import io.citybrain.stream.CityJobIo;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
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
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(network.configuration());
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

  @Override
  public void close() throws Exception {
    job.cancel().get(30, TimeUnit.SECONDS);
  }
}
