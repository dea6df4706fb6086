package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import org.apache.flink.client.cli.CliFrontend;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job jar as a cluster runs it: submitted by Flink's own command-line client ({@code flink run}'s CliFrontend) to
 * a cluster's REST endpoint, its main builds the same graph, and results reach the database.
 */
@ExtendWith(CityServicesExtension.class)
class JobJarIT {
  static final Path JAR = Path.of("target/citybrain-stream-job.jar");

  @BeforeAll
  static void database(TestServices services) {
    CityJobRun.prepareDatabase(services);
  }

  @Test
  @DisplayName("flink run -d citybrain-stream-job.jar starts the city job on a cluster; telemetry becomes metrics")
  void flinkRun(TestServices services) throws Exception {
    assertThat(JAR).as("the shaded job jar (mvn package)").exists();
    Configuration clusterConf = new Configuration();
    clusterConf.set(RestOptions.BIND_PORT, "0");
    // No restarts: a job jar that fails once (a class it cannot load, a driver it cannot find) fails the test.
    clusterConf.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY, "none");
    try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(2).setConfiguration(clusterConf).build())) {
      cluster.start();
      URI rest = cluster.getRestAddress().get();
      Path confDir = Files.createTempDirectory("flink-conf");
      Files.writeString(confDir.resolve("config.yaml"), "");
      Configuration client = new Configuration();
      client.set(RestOptions.ADDRESS, rest.getHost());
      client.set(RestOptions.PORT, rest.getPort());
      client.set(DeploymentOptions.TARGET, "remote");
      CliFrontend cli = new CliFrontend(client, CliFrontend.loadCustomCommandLines(client, confDir.toString()));
      String clientId = services.uniqueId("jar");
      int rc = cli.parseAndRun(new String[] {"run", "-d", JAR.toAbsolutePath().toString(),
          "--broker", services.mqttUrl(), "--db-url", services.jdbcUrl(), "--client-id", clientId,
          "--checkpoint-interval", "1s", "--parallelism", "2"});
      assertThat(rc).as("flink run exit code").isZero();
      Collection<JobStatusMessage> jobs = cluster.listJobs().get();
      assertThat(jobs).singleElement().satisfies(j -> assertThat(j.getJobName()).isEqualTo("citybrain-city"));
      Thread.sleep(5_000);

      CityJobRun.simulate(services, services.mqttUrl(), "--districts", "FT", "--speed", "20", "--duration", "90s",
          "--start-time", "2025-06-01T02:00:00Z");
      long metrics = CityJobRun.awaitStable(services, "SELECT count(*) FROM district_metric WHERE district = 'FT' "
          + "AND resolution_s = 10", Duration.ofSeconds(2), Duration.ofMinutes(1));
      assertThat(metrics).as("10 s metric rows for Futian").isGreaterThan(20);
      assertThat(CityJobRun.query(services, "SELECT count(*) FROM district_snapshot WHERE district = 'FT'"))
          .isEqualTo(1);
      assertThat(cluster.getJobStatus(jobs.iterator().next().getJobId()).get())
          .isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
      cluster.cancelJob(jobs.iterator().next().getJobId()).get();
      // End the lanes' persistent sessions: an abandoned one queues every later message on the broker.
      for (int lane = 0; lane < CityJobConfig.DEFAULT_LANES; lane++) {
        try (var end = io.citybrain.mqtt.PahoConnection.connect(io.citybrain.mqtt.MqttSettings.of(services.mqttUrl(),
            clientId + "-lane-" + lane))) {
          end.isConnected();
        }
      }
    }
  }
}
