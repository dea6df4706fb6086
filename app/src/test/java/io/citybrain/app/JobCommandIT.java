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
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  @Test
  @DisplayName(
      "citybrain job without --flink-rest runs the job in-process, its Flink REST endpoint on --bind"
          + " for health; cancelling it ends the command with exit 1")
  void inProcess(TestServices services) throws Exception {
    new CityUnderTest(services);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> command =
        CompletableFuture.supplyAsync(
            () ->
                CityBrainCommand.run(
                    new PrintWriter(out, true),
                    new PrintWriter(err, true),
                    "job",
                    "--flink-rest-port",
                    "0",
                    "--bind",
                    "127.0.0.1",
                    "--mqtt-url",
                    services.mqttUrl(),
                    "--credentials",
                    services.credentials().toString(),
                    "--db-url",
                    services.jdbcUrl(),
                    "--client-id",
                    services.uniqueId("job-local")));
    await("the in-process job's report")
        .atMost(Duration.ofMinutes(2))
        .until(() -> out.toString().contains("running; press Ctrl+C") || command.isDone());
    Matcher m =
        Pattern.compile("as job ([0-9a-f]{32}).*Flink REST (http://[0-9.:]+)", Pattern.DOTALL)
            .matcher(out.toString());
    assertThat(m.find()).as("report: %s; stderr: %s", out, err).isTrue();
    JobID id = JobID.fromHexString(m.group(1));
    assertThat(m.group(2)).startsWith("http://127.0.0.1:");
    try (JobJarSubmitter rest = JobJarSubmitter.connect(URI.create(m.group(2)))) {
      assertThat(rest.status(id)).isEqualTo(JobStatus.RUNNING);
      rest.cancel(id);
    }
    assertThat(command.get(2, TimeUnit.MINUTES)).as("exit code once the job ended").isEqualTo(1);
    assertThat(err.toString()).contains("citybrain job: the stream job ended");
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
