package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Installation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code citybrain job}'s configuration checked before anything starts: each problem one line
 * naming the flag, exit 2.
 */
class JobCommandTest {
  @TempDir static Path dir;
  static Installation installation;

  @BeforeAll
  static void provision() {
    installation = Installation.generate(dir.resolve("installation"));
  }

  @Test
  @DisplayName("--resume latest without --checkpoint-dir says where checkpoints are found")
  void latestNeedsCheckpointDir() {
    assertThat(run("--resume", "latest"))
        .isEqualTo(
            "citybrain job: --resume latest needs --checkpoint-dir (the retained checkpoints are"
                + " found there) (see --help)");
  }

  @Test
  @DisplayName("--resume latest in a directory without a complete checkpoint, or a remote one")
  void latestNeedsACheckpoint() throws Exception {
    Path checkpoints = Files.createDirectories(dir.resolve("empty-checkpoints"));
    // A checkpoint still being written has no _metadata: it does not count.
    Files.createDirectories(checkpoints.resolve("0123abcd/chk-7"));
    assertThat(run("--checkpoint-dir", checkpoints.toUri().toString(), "--resume", "latest"))
        .isEqualTo(
            "citybrain job: --resume latest: no retained checkpoint (a chk-N directory with a"
                + " _metadata) in "
                + checkpoints
                + " (see --help)");
    assertThat(run("--checkpoint-dir", "s3://bucket/checkpoints", "--resume", "latest"))
        .isEqualTo(
            "citybrain job: --resume latest: the latest retained checkpoint can be found only in"
                + " a local directory (file:///...), not in s3://bucket/checkpoints; give --resume"
                + " PATH instead (see --help)");
  }

  @Test
  @DisplayName("--resume PATH must hold a _metadata")
  void resumePath() {
    Path missing = dir.resolve("no-such-savepoint");
    assertThat(run("--resume", missing.toString()))
        .isEqualTo(
            "citybrain job: --resume: no checkpoint or savepoint at "
                + missing
                + " (a savepoint or chk-N directory holding _metadata) (see --help)");
    assertThat(run("--resume", ""))
        .isEqualTo(
            "citybrain job: --resume must be latest or the path of a savepoint or chk-N directory"
                + " (see --help)");
  }

  @Test
  @DisplayName("cluster flags: a malformed --flink-rest, and flags of the other mode")
  void clusterFlags() {
    assertThat(run("--flink-rest", "localhost:8081"))
        .isEqualTo(
            "citybrain job: --flink-rest must be http://HOST:PORT, e.g. http://127.0.0.1:8081, was"
                + " localhost:8081 (see --help)");
    assertThat(run("--job-jar", "x.jar"))
        .isEqualTo(
            "citybrain job: --job-jar needs --flink-rest (the in-process job runs the app's own"
                + " classes) (see --help)");
    assertThat(run("--flink-rest", "http://127.0.0.1:8081", "--flink-rest-port", "9000"))
        .isEqualTo(
            "citybrain job: --flink-rest-port is the in-process job's; a cluster's REST endpoint is"
                + " --flink-rest (see --help)");
    assertThat(run("--flink-rest", "http://127.0.0.1:8081", "--job-jar", "/nonexistent/job.jar"))
        .isEqualTo(
            "citybrain job: --job-jar: no job jar at /nonexistent/job.jar (./mvnw -pl app -am"
                + " package builds it; or give --job-jar) (see --help)");
  }

  @Test
  @DisplayName("in-process flags and the job's own settings name their flags")
  void inProcessAndJobFlags() {
    assertThat(run("--bind", "example.org"))
        .isEqualTo(
            "citybrain job: --bind must be an IP address such as 127.0.0.1 or 0.0.0.0, was"
                + " 'example.org' (see --help)");
    assertThat(run("--flink-rest-port", "70000"))
        .isEqualTo(
            "citybrain job: --flink-rest-port must be within 0..65535, was 70000 (see --help)");
    assertThat(run("--state-backend", "memory"))
        .startsWith("citybrain job: --state-backend must be hashmap or rocksdb, was memory");
  }

  /** Runs {@code citybrain job} with a valid broker, database and login plus {@code flags}. */
  private static String run(String... flags) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "job",
                "--mqtt-url",
                "tcp://127.0.0.1:1",
                "--db-url",
                "jdbc:postgresql://127.0.0.1:1/citybrain",
                "--credentials",
                installation.folder().toString()));
    args.addAll(List.of(flags));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        CityBrainCommand.run(
            new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    assertThat(code).as("exit code of %s (stderr %s)", args, err).isEqualTo(2);
    assertThat(out.toString()).as("nothing started").isEmpty();
    return err.toString().strip();
  }
}
