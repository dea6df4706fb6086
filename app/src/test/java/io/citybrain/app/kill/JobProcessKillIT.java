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
 * {@code kill -9} of the JobManager of a session cluster of separate JVMs while the simulator
 * publishes, then of the whole cluster (the JobManager and every TaskManager at once); each time
 * the processes are started again and the job jar resubmitted from the latest retained checkpoint
 * ({@code flink run -s .../chk-N}), as an operator recovers a cluster without high availability.
 */
@ExtendWith(CityServicesExtension.class)
class JobProcessKillIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "JobManager, then the whole cluster killed and resumed from the latest retained checkpoint:"
          + " nothing lost or doubled, windows, alerts, incidents and pictures as uninterrupted")
  void jobManagerAndClusterKills(TestServices services) throws Exception {
    KillSizes sizes = KillSizes.fromSystemProperties();
    try (KillBench bench = KillBench.start(services, 2, dir)) {
      RunResult reference = bench.reference();
      RunResult killed =
          bench.run(
              "jobmanager-kills",
              run -> {
                run.awaitKillPoint(1.0 / 3, 2);
                run.killJobManager(false);
                run.awaitKillPoint(2.0 / 3, 2);
                run.killJobManager(true);
              });
      KillAssertions.assertSurvived(reference, killed, sizes.readings(), 2);
    }
  }
}
