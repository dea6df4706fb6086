package io.citybrain.app.kill;

import io.citybrain.access.Principal;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.stream.CityJobConfig;
import io.citybrain.testkit.TestServices;
import java.nio.file.Path;
import java.util.List;

/**
 * The stream job as the kill suite runs it on the cluster: the job jar's own flags, checkpoints
 * every second into the cluster's retained checkpoint folder on RocksDB, event-time bounds for the
 * time-lapse, and lanes whose broker sessions are opened before it deploys.
 *
 * <p>The out-of-orderness bound is 60 s, 6 s of wall-clock skew between publisher connections at
 * 10x. It was 20 s (2 s of skew), and two CI runs on a loaded 2-core machine failed the way an
 * outrun bound fails, where JVMs were starting beside the simulator (the job's deployment, a
 * restarted cluster): messages behind the watermark cannot change a picture that is out, so the
 * pictures depended on timing. The bench reads the job's lateness counters and requires them at
 * zero in the uninterrupted run, so a run whose input outran the bound says so.
 */
record KillJob(TestServices services, String brokerUrl, String clientIdPrefix, Path checkpointDir) {
  static final int OUT_OF_ORDERNESS_S = 60;
  static final int ALLOWED_LATENESS_S = 120;

  /** Windows this long before the newest reading are closed for certain. */
  static final int CLOSED_AFTER_S = OUT_OF_ORDERNESS_S + ALLOWED_LATENESS_S + 60;

  /** The arguments {@code flink run ... citybrain-stream-job.jar} gets. */
  List<String> args() {
    return List.of(
        "--mqtt-url",
        brokerUrl,
        "--credentials",
        services.credentials().toString(),
        "--db-url",
        services.jdbcUrl(),
        "--client-id",
        clientIdPrefix,
        "--parallelism",
        "2",
        "--checkpoint-interval",
        "1s",
        "--state-backend",
        "rocksdb",
        "--checkpoint-dir",
        checkpointDir.toUri().toString(),
        "--out-of-orderness",
        OUT_OF_ORDERNESS_S + "s",
        "--allowed-lateness",
        ALLOWED_LATENESS_S + "s");
  }

  /** The same settings as a value, for the lanes' broker sessions. */
  CityJobConfig config(CitySeeds seeds) {
    return CityJobConfig.builder()
        .mqttUrl(brokerUrl)
        .mqttLogin(services.login(Principal.job()))
        .jdbcUrl(services.jdbcUrl())
        .districts(seeds.districtCodes())
        .clientIdPrefix(clientIdPrefix)
        .build();
  }
}
