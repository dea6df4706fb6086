package io.citybrain.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process cluster's life: started, a TaskManager and the JobManager killed and started. */
class FlinkProcessClusterIT {
  @TempDir Path dir;

  @Test
  void separateJvmsSurviveKills() {
    try (FlinkProcessCluster flink =
        FlinkProcessCluster.builder(dir).taskManagers(2).stateBackend("rocksdb").start()) {
      Map<String, Long> overview = flink.overview().orElseThrow();
      assertThat(overview).containsEntry("taskmanagers", 2L).containsEntry("slots-total", 2L);
      long jm = flink.jobManagerPid();
      assertThat(flink.taskManagerPid(0)).isNotEqualTo(jm).isNotEqualTo(flink.taskManagerPid(1));
      assertThat(ProcessHandle.of(jm)).isPresent();

      long killed = flink.taskManagerPid(0);
      flink.killTaskManager(0);
      assertThat(ProcessHandle.of(killed).map(ProcessHandle::isAlive))
          .isNotEqualTo(java.util.Optional.of(true));
      flink.awaitTaskManagers(1);
      flink.startTaskManager(0);
      assertThat(flink.taskManagerPid(0)).isNotEqualTo(killed);
      assertThat(flink.overview().orElseThrow()).containsEntry("taskmanagers", 2L);

      flink.killJobManager();
      assertThat(flink.overview()).as("REST gone with its JobManager").isEmpty();
      flink.startJobManager();
      assertThat(flink.overview().orElseThrow())
          .as("both TaskManagers registered with the new JobManager")
          .containsEntry("taskmanagers", 2L)
          .containsEntry("slots-available", 2L);
      assertThat(flink.checkpointDir()).isDirectory();
      assertThat(dir.resolve("log/jobmanager.log")).isNotEmptyFile();
      assertThat(dir.resolve("log/taskmanager-1.log")).isNotEmptyFile();
    }
  }
}
