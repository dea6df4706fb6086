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
 * time-lapse (20 s of out-of-orderness is 2 s of wall-clock skew at 10x), and lanes whose broker
 * sessions are opened before it deploys.
 */
record KillJob(TestServices services, String brokerUrl, String clientIdPrefix, Path checkpointDir) {
  static final int OUT_OF_ORDERNESS_S = 20;
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
