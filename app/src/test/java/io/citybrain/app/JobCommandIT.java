package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.stream.deploy.JobJarSubmitter;
import io.citybrain.stream.deploy.RetainedCheckpoints;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.FlinkProcessCluster;
import io.citybrain.testkit.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code citybrain job --flink-rest} as a compose job submitter runs it: against a Flink cluster of
 * separate JVMs, the jar beside the app's submitted, exit 0 once the job runs, its id printed; then
 * again with {@code --resume latest} after the job was cancelled.
 */
@ExtendWith(CityServicesExtension.class)
class JobCommandIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "citybrain job --flink-rest submits the jar, exits 0 with the job id; --resume latest")
  void submitsAndResumes(TestServices services) throws Exception {
    new CityUnderTest(services);
    try (FlinkProcessCluster flink =
            FlinkProcessCluster.builder(dir).slotsPerTaskManager(2).start();
        JobJarSubmitter rest = JobJarSubmitter.connect(flink.restUrl())) {
      String clientId = services.uniqueId("job-cmd");
      List<String> args =
          new ArrayList<>(
              List.of(
                  "job",
                  "--flink-rest",
                  flink.restUrl().toString(),
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
                  "--checkpoint-dir",
                  flink.checkpointDir().toUri().toString()));
      JobID first = JobID.fromHexString(lastLine(submit(args)));
      assertThat(rest.status(first)).isEqualTo(JobStatus.RUNNING);
      assertThat(rest.restoredFrom(first)).isEmpty();
      await("a checkpoint")
          .atMost(Duration.ofMinutes(1))
          .until(() -> rest.completedCheckpoints(first) > 0);
      rest.cancel(first);
      await("cancelled")
          .atMost(Duration.ofMinutes(1))
          .until(() -> rest.status(first) == JobStatus.CANCELED);
      Path latest = RetainedCheckpoints.latest(flink.checkpointDir()).orElseThrow();

      args.addAll(List.of("--resume", "latest"));
      String out = submit(args);
      JobID resumed = JobID.fromHexString(lastLine(out));
      assertThat(out).contains("resumed from " + latest.toUri());
      assertThat(rest.restoredFrom(resumed))
          .hasValueSatisfying(p -> assertThat(p).endsWith(first + "/" + latest.getFileName()));
      rest.cancel(resumed);
    }
  }

  /** Runs the command line; it must exit 0 (the job runs) and returns what it printed. */
  private static String submit(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        CityBrainCommand.run(
            new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    assertThat(code).as("exit code; stderr: %s", err).isZero();
    return out.toString();
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1].strip();
  }
}
