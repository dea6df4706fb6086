package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.source.LaneSessions;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.cli.CliFrontend;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job jar as a cluster runs it: submitted by Flink's own command-line client ({@code flink
 * run}'s CliFrontend) to a cluster's REST endpoint, its main builds the same graph, and results
 * reach the database.
 */
@ExtendWith(CityServicesExtension.class)
class JobJarIT {
  static final Path JAR = Path.of("target/citybrain-stream-job.jar");

  @BeforeAll
  static void database(TestServices services) {
    CityJobRun.prepareDatabase(services);
  }

  @Test
  @DisplayName(
      "flink run -d citybrain-stream-job.jar starts the city job on a cluster; telemetry becomes metrics")
  void flinkRun(TestServices services) throws Exception {
    assertThat(JAR).as("the shaded job jar (mvn package)").exists();
    // The cluster provides Flink; the jar brings the rest. (This JVM's classpath has everything, so
    // a missing class
    // would not show below: the contents are checked here.)
    try (var jar = new JarFile(JAR.toFile())) {
      Set<String> entries = new HashSet<>();
      jar.stream().forEach(e -> entries.add(e.getName()));
      for (String needed :
          List.of(
              "io/citybrain/stream/CityJobMain.class",
              "org/apache/flink/cep/CEP.class",
              "org/apache/flink/connector/jdbc/core/datastream/sink/JdbcSink.class",
              "org/postgresql/Driver.class",
              "io/citybrain/storage/Jdbc.class",
              "org/eclipse/paho/mqttv5/client/MqttAsyncClient.class",
              "com/google/protobuf/Message.class",
              "picocli/CommandLine.class",
              "seeds/districts.yaml",
              "META-INF/services/java.sql.Driver")) {
        assertThat(entries).as("shaded jar").contains(needed);
      }
      assertThat(entries)
          .as("Flink itself, and storage's migrations and pools, stay out of the jar")
          .noneMatch(
              e ->
                  e.startsWith("org/apache/flink/streaming/api/")
                      || e.startsWith("org/apache/flink/runtime/")
                      || e.startsWith("org/apache/flink/api/common/")
                      || e.startsWith("org/slf4j/")
                      || e.startsWith("org/flywaydb/")
                      || e.startsWith("com/zaxxer/")
                      || e.startsWith("ch/qos/logback/"));
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("io.citybrain.stream.CityJobMain");
    }
    Configuration clusterConf = new Configuration();
    clusterConf.set(RestOptions.BIND_PORT, "0");
    // No restarts: a job jar that fails once (a class it cannot load, a driver it cannot find)
    // fails the test.
    clusterConf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    try (MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(2)
                .setConfiguration(clusterConf)
                .build())) {
      cluster.start();
      URI rest = cluster.getRestAddress().get();
      Path confDir = Files.createTempDirectory("flink-conf");
      Files.writeString(confDir.resolve("config.yaml"), "");
      Configuration client = new Configuration();
      client.set(RestOptions.ADDRESS, rest.getHost());
      client.set(RestOptions.PORT, rest.getPort());
      client.set(DeploymentOptions.TARGET, "remote");
      CliFrontend cli =
          new CliFrontend(client, CliFrontend.loadCustomCommandLines(client, confDir.toString()));
      String clientId = services.uniqueId("jar");
      CityJobConfig lanes =
          CityJobRun.config(services, services.mqttUrl())
              .clientIdPrefix(clientId)
              .sessionExpiry(CityJobConfig.DEFAULT_SESSION_EXPIRY)
              .build();
      LaneSessions.open(lanes.source());
      int rc =
          cli.parseAndRun(
              new String[] {
                "run",
                "-d",
                JAR.toAbsolutePath().toString(),
                "--mqtt-url",
                services.mqttUrl(),
                "--credentials",
                services.credentials().toString(),
                "--db-url",
                services.jdbcUrl(),
                "--client-id",
                clientId,
                "--checkpoint-interval",
                "1s",
                "--parallelism",
                "2"
              });
      assertThat(rc).as("flink run exit code").isZero();
      Collection<JobStatusMessage> jobs = cluster.listJobs().get();
      assertThat(jobs)
          .singleElement()
          .satisfies(j -> assertThat(j.getJobName()).isEqualTo("citybrain-city"));

      CityJobRun.simulate(
          services,
          services.mqttUrl(),
          "--districts",
          "FT",
          "--speed",
          "20",
          "--duration",
          "90s",
          "--start-time",
          "2025-06-01T02:00:00Z");
      long metrics =
          CityJobRun.awaitAtLeast(
              services,
              "SELECT count(*) FROM district_metric WHERE district = 'FT' "
                  + "AND resolution_s = 10",
              21,
              Duration.ofMinutes(2));
      assertThat(metrics).as("10 s metric rows for Futian").isGreaterThan(20);
      assertThat(
              CityJobRun.query(
                  services, "SELECT count(*) FROM district_snapshot WHERE district = 'FT'"))
          .isEqualTo(1);
      assertThat(cluster.getJobStatus(jobs.iterator().next().getJobId()).get())
          .isEqualTo(JobStatus.RUNNING);
      cluster.cancelJob(jobs.iterator().next().getJobId()).get();
      LaneSessions.end(lanes.source());
    }
  }
}
