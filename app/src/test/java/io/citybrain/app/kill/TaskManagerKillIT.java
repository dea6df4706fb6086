package io.citybrain.app.kill;

import io.citybrain.app.kill.KillBench.RunResult;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a random TaskManager running part of the stream job, again and again while the
 * simulator publishes sequenced QoS 1 readings, on a Flink cluster of separate JVMs (a JobManager,
 * three one-slot TaskManagers for a job of parallelism 2, so that the job restarts on the spare at
 * once), the test's own Mosquitto and PostgreSQL. Each killed TaskManager is started again once the
 * job has recovered. Sizes: {@code -Dcitybrain.kill.tm.kills} (5) and {@code
 * -Dcitybrain.kill.readings} (200,000).
 */
@ExtendWith(CityServicesExtension.class)
class TaskManagerKillIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "TaskManagers killed repeatedly: every (device, seq) stored once, windows = SQL recomputation,"
          + " alerts, incidents and every picture as in an uninterrupted run, accounting per district")
  void taskManagerKills(TestServices services) throws Exception {
    KillSizes sizes = KillSizes.fromSystemProperties();
    try (KillBench bench = KillBench.start(services, 3, dir)) {
      RunResult reference = bench.reference();
      int kills = sizes.taskManagerKills();
      RunResult killed =
          bench.run(
              "taskmanager-kills",
              run -> {
                for (int i = 0; i < kills; i++) {
                  // Spread over the publishing time, each after a checkpoint of progress.
                  run.awaitKillPoint((i + 1.0) / (kills + 1), 1);
                  run.killTaskManager();
                }
              });
      KillAssertions.assertSurvived(reference, killed, sizes.readings(), kills);
    }
  }
}
