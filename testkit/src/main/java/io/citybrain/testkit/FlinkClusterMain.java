package io.citybrain.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bench/flink-cluster.sh}: the tests' {@link FlinkProcessCluster} for a person to watch,
 * until Ctrl+C. Arguments: [task managers] [slots each] [hashmap|rocksdb] [work dir].
 */
public final class FlinkClusterMain {
  private FlinkClusterMain() {}

  public static void main(String[] args) throws Exception {
    int taskManagers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int slots = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    String backend = args.length > 2 ? args[2] : "rocksdb";
    Path dir =
        args.length > 3
            ? Files.createDirectories(Path.of(args[3]))
            : Files.createTempDirectory("citybrain-flink-");
    System.out.printf(
        "starting a Flink session cluster: 1 JobManager, %d TaskManager(s) of %d slot(s), %s state,"
            + " in %s ...%n",
        taskManagers, slots, backend, dir);
    // The cluster's shutdown hook kills its processes when this JVM stops (Ctrl+C).
    FlinkProcessCluster flink =
        FlinkProcessCluster.builder(dir)
            .taskManagers(taskManagers)
            .slotsPerTaskManager(slots)
            .stateBackend(backend)
            .start();
    System.out.printf(
        """
        Flink cluster ready
          REST and web UI  %s  (flink-runtime-web: jobs, checkpoints, TaskManager logs)
          JobManager       pid %d
          TaskManagers     %d, %d slot(s) each
          checkpoints      %s  (retained on cancellation; --resume latest finds the newest)
          logs             %s
        submit the stream job (the jar `flink run` takes), from the repository:
          ./citybrain job --flink-rest %s --checkpoint-dir %s \\
              --state-backend %s --mqtt-url tcp://127.0.0.1:1883 --credentials DIR \\
              --db-url 'jdbc:postgresql://127.0.0.1:5432/citybrain?user=citybrain_app&password=...'
          (add --resume latest to start from the newest retained checkpoint)
        running; press Ctrl+C to stop the cluster
        """,
        flink.restUrl(),
        flink.jobManagerPid(),
        flink.taskManagers(),
        flink.slotsPerTaskManager(),
        flink.checkpointDir().toUri(),
        flink.workDir().resolve("log"),
        flink.restUrl(),
        flink.checkpointDir().toUri(),
        backend);
    Thread.currentThread().join();
  }
}
