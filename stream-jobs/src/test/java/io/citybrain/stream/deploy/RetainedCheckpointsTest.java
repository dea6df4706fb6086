package io.citybrain.stream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The newest complete retained checkpoint, as Flink lays them out: dir/job/chk-N/_metadata. */
class RetainedCheckpointsTest {
  @TempDir Path dir;

  @Test
  @DisplayName("the chk-N written last wins, across jobs; one without _metadata never counts")
  void latest() throws Exception {
    assertThat(RetainedCheckpoints.latest(dir)).isEmpty();
    assertThat(RetainedCheckpoints.latest(dir.resolve("missing"))).isEmpty();
    Path old = checkpoint("aaaa", 41, 1_000);
    Path killed = checkpoint("aaaa", 42, 2_000);
    assertThat(RetainedCheckpoints.latest(dir)).contains(killed);
    // The resumed job numbers on from 43 in its own directory; its first checkpoint is the newest.
    Path resumed = checkpoint("bbbb", 43, 3_000);
    assertThat(RetainedCheckpoints.latest(dir)).contains(resumed);
    // In progress (no _metadata yet), shared state and task-owned folders are not checkpoints.
    Files.createDirectories(dir.resolve("bbbb/chk-44"));
    Files.createDirectories(dir.resolve("bbbb/shared"));
    Files.createDirectories(dir.resolve("bbbb/taskowned"));
    assertThat(RetainedCheckpoints.latest(dir)).contains(resumed);
    // Same write time: the higher number.
    Path same = checkpoint("cccc", 7, 3_000);
    assertThat(RetainedCheckpoints.latest(dir)).contains(resumed);
    assertThat(RetainedCheckpoints.number(same)).isEqualTo(7);
    assertThat(old).isNotEqualTo(killed);
  }

  @Test
  @DisplayName("only a local checkpoint directory can be searched")
  void localDirectory() {
    assertThat(RetainedCheckpoints.localDirectory("file:///var/flink/checkpoints"))
        .isEqualTo(Path.of("/var/flink/checkpoints"));
    assertThat(RetainedCheckpoints.localDirectory("/var/flink/checkpoints"))
        .isEqualTo(Path.of("/var/flink/checkpoints"));
    assertThatThrownBy(() -> RetainedCheckpoints.localDirectory("s3://bucket/checkpoints"))
        .hasMessage(
            "the latest retained checkpoint can be found only in a local directory (file:///...),"
                + " not in s3://bucket/checkpoints");
  }

  private Path checkpoint(String job, long n, long writtenMs) throws Exception {
    Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + n));
    Path metadata = Files.writeString(chk.resolve(RetainedCheckpoints.METADATA), "m");
    Files.setLastModifiedTime(metadata, FileTime.fromMillis(writtenMs));
    return chk;
  }
}
