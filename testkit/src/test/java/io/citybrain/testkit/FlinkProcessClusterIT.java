package io.citybrain.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process cluster's own life, without a job (JobJarIT runs one on it and kills its JobManager):
 * separate JVMs, a TaskManager killed and replaced.
 */
class FlinkProcessClusterIT {
  @TempDir Path dir;

  @Test
  void taskManagerKilledAndReplaced() {
    try (FlinkProcessCluster flink =
        FlinkProcessCluster.builder(dir).slotsPerTaskManager(2).stateBackend("rocksdb").start()) {
      assertThat(flink.overview().orElseThrow())
          .containsEntry("taskmanagers", 1L)
          .containsEntry("slots-total", 2L)
          .containsEntry("slots-available", 2L);
      long jobManager = flink.jobManagerPid();
      long killed = flink.taskManagerPid(0);
      assertThat(killed).isNotEqualTo(jobManager).isNotEqualTo(ProcessHandle.current().pid());

      flink.killTaskManager(0);
      assertThat(ProcessHandle.of(killed).filter(ProcessHandle::isAlive)).isEmpty();
      assertThat(flink.taskManagerRunning(0)).isFalse();
      flink.awaitTaskManagers(0);
      flink.startTaskManager(0);
      assertThat(flink.taskManagerPid(0)).isNotEqualTo(killed);
      assertThat(flink.overview().orElseThrow()).containsEntry("taskmanagers", 1L);
      assertThat(flink.jobManagerPid()).as("the JobManager lived on").isEqualTo(jobManager);
      assertThat(dir.resolve("conf/config.yaml")).content().contains("state.backend.type: rocksdb");
      assertThat(dir.resolve("log/taskmanager-0.log")).isNotEmptyFile();
    }
  }
}
