package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml checked by parsing it (there is no Docker engine here): it keeps every rule of
 * {@link ComposeRules} (each rule is shown to fail on a small broken file), runs every role of the
 * system, gives each service only its own credentials and keeps clients on TLS.
 */
class ComposeFileTest {
  private static final Path ROOT = Path.of("..");

  /** No dependency of the shipped file waits for a mere start. */
  private static final Map<String, String> JUSTIFIED_STARTS = Map.of();

  private static String text;
  private static ComposeRules rules;
  private static JsonNode services;

  @BeforeAll
  static void read() throws IOException {
    text = Files.readString(ROOT.resolve("docker-compose.yml"));
    rules = ComposeRules.of(text, JUSTIFIED_STARTS);
    services = rules.services();
  }

  @Test
  @DisplayName("the shipped file keeps every structural rule")
  void keepsEveryRule() {
    assertThat(rules.violations()).isEmpty();
  }

  @Test
  @DisplayName("it runs the whole system: database, broker, migration, Flink, job, API, simulator")
  void runsEveryRole() {
    List<String> names = new ArrayList<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .contains(
            "provision",
            "timescaledb",
            "mqtt",
            "migrate",
            "jobmanager",
            "taskmanager",
            "stream-job",
            "api",
            "simulator");
    assertThat(services.get("taskmanager").path("deploy").path("replicas").asInt())
        .isGreaterThanOrEqualTo(2);
    assertThat(command("stream-job"))
        .contains("exec java -jar /opt/citybrain/citybrain-app.jar job")
        .contains("--flink-rest http://jobmanager:8081", "--resume latest")
        .contains("--state-backend rocksdb", "--checkpoint-dir file:///flink-checkpoints")
        // The first start has no checkpoint to resume: --resume latest only once one exists.
        .contains("if ls /flink-checkpoints/*/chk-*/_metadata");
    assertThat(volumes("stream-job")).contains("flink-checkpoints:/flink-checkpoints:ro");
    assertThat(command("api"))
        .startsWith("java -jar /opt/citybrain/citybrain-app.jar api")
        .contains("--flink-rest-url http://jobmanager:8081", "--jwt-key-file /state/jwt.key");
    assertThat(command("migrate")).endsWith("citybrain-app.jar migrate");
    // The simulator publishes once the job's broker sessions exist.
    assertThat(dependency("simulator", "stream-job")).isEqualTo("service_completed_successfully");
    // Each TimescaleDB database holds a background-worker slot: the file sizes them.
    assertThat(command("timescaledb"))
        .contains("max_worker_processes=", "timescaledb.max_background_workers=");
  }

  @Test
  @DisplayName("the broker starts only with provisioned credentials and refuses anonymous clients")
  void theBrokerStartsOnlyWithProvisionedCredentials() throws IOException {
    assertThat(dependency("mqtt", "provision")).isEqualTo("service_completed_successfully");
    assertThat(volumes("mqtt")).contains("broker-credentials:/mosquitto/credentials");
    assertThat(volumes("mqtt"))
        .contains("./config/mosquitto/mosquitto.conf:/mosquitto/config/mosquitto.conf:ro");
    String conf = Files.readString(ROOT.resolve("config/mosquitto/mosquitto.conf"));
    assertThat(conf).contains("allow_anonymous false").contains("mosquitto_dynamic_security.so");
    assertThat(conf).doesNotContain("allow_anonymous true");
  }

  @Test
  @DisplayName("each service mounts only the credentials it needs")
  void eachServiceMountsOnlyTheCredentialsItNeeds() {
    assertThat(volumes("simulator")).anyMatch(v -> v.startsWith("fleet-credentials:"));
    assertThat(volumes("simulator")).noneMatch(v -> v.startsWith("credentials:"));
    assertThat(command("simulator")).contains("--credentials /fleet");
    // The job holds its own password and the CA, never the service secret or the fleet's.
    assertThat(credentialVolumes("stream-job")).containsExactly("job-credentials:/job:ro");
    assertThat(command("stream-job"))
        .contains(
            "--mqtt-username citybrain-job",
            "--mqtt-password-file /job/mqtt.password",
            "--mqtt-ca /job/ca.crt",
            "--db-url \"$$CITYBRAIN_DB_URL\"")
        .doesNotContain("--credentials");
    // The runtime role, never the schema's owner.
    assertThat(services.get("stream-job").path("environment").path("CITYBRAIN_DB_URL").asText())
        .isEqualTo(
            "jdbc:postgresql://timescaledb:5432/citybrain?user=citybrain_app"
                + "&password=${CITYBRAIN_DB_RUNTIME_PASSWORD}");
    assertThat(services.get("stream-job").toString()).doesNotContain("CITYBRAIN_DB_PASSWORD");
    assertThat(credentialVolumes("taskmanager")).containsExactly("job-credentials:/job:ro");
    // The API signs commands and verifies acks: the installation and the fleet's masters,
    // read-only.
    assertThat(credentialVolumes("api"))
        .containsExactly("credentials:/credentials:ro", "fleet-credentials:/credentials/fleet:ro");
    assertThat(command("api")).contains("--credentials /credentials");
    assertThat(services.get("api").path("environment").path("CITYBRAIN_DB_URL").asText())
        .contains("user=citybrain_app&password=${CITYBRAIN_DB_RUNTIME_PASSWORD}");
    assertThat(services.get("api").toString()).doesNotContain("CITYBRAIN_DB_PASSWORD");
    assertThat(volumes("provision")).contains("job-credentials:/credentials/job");
    assertThat(command("provision"))
        .contains("--tls-name mqtt", "chown -R 9999:9999 /credentials/job");
    assertThat(mounting("ca-key:")).containsExactly("provision");
    assertThat(mounting("credentials:")).containsExactly("provision", "api");
  }

  @Test
  @DisplayName("clients log in over TLS, trusting the installation's CA")
  void clientsLogInOverTlsTrustingTheInstallationsCa() {
    assertThat(command("simulator"))
        .contains("--mqtt-url ssl://mqtt:8883", "--mqtt-ca /fleet/ca.crt")
        .doesNotContain("tcp://");
    assertThat(command("stream-job"))
        .contains("--mqtt-url ssl://mqtt:8883", "--mqtt-ca /job/ca.crt")
        .doesNotContain("tcp://mqtt");
    assertThat(command("api"))
        .contains("--mqtt-url ssl://mqtt:8883", "--mqtt-ca /credentials/fleet/ca.crt")
        .doesNotContain("tcp://mqtt");
    assertThat(services.get("mqtt").path("ports").toString())
        .contains("127.0.0.1:8883:8883", "127.0.0.1:1883:1883");
  }

  // The checker itself, on small broken files: each rule fails where it should.

  private static final String FLINK =
      """
        jobmanager:
          image: flink:2.3.0-java17
          command: jobmanager
          volumes: [flink-checkpoints:/flink-checkpoints]
          healthcheck: {test: [CMD, "true"]}
          environment:
            FLINK_PROPERTIES: |
              state.backend.type: rocksdb
              execution.checkpointing.dir: file:///flink-checkpoints
              execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
        migrate: {image: x, restart: "no"}
        stream-job:
          image: x
          restart: "no"
          depends_on: {migrate: {condition: service_completed_successfully}}
        api:
          image: x
          healthcheck: {test: [CMD, "true"]}
          depends_on: {migrate: {condition: service_completed_successfully}}
      """;

  private static List<String> violations(String extraServices) {
    return ComposeRules.of("services:\n" + FLINK + extraServices, Map.of()).violations();
  }

  @Test
  @DisplayName("the checker passes a minimal good file")
  void checkerPassesAGoodFile() {
    assertThat(violations("")).isEmpty();
  }

  @Test
  @DisplayName("the checker refuses a service without image or build")
  void refusesNoImage() {
    assertThat(violations("  tool: {restart: \"no\"}\n"))
        .containsExactly("tool: neither image nor build");
  }

  @Test
  @DisplayName("the checker refuses dependencies that wait for a mere start, unless justified")
  void refusesStartedDependencies() {
    assertThat(
            violations(
                """
              tool:
                image: x
                restart: "no"
                depends_on: [api]
              other:
                image: x
                restart: "no"
                depends_on: {api: {condition: service_started}}
              third:
                image: x
                restart: "no"
                depends_on: {api: {}}
            """))
        .containsExactly(
            "tool: depends_on api without a condition",
            "other: depends_on api with service_started",
            "third: depends_on api with service_started");
    String justified =
        "services:\n"
            + FLINK
            + "  other:\n    image: x\n    restart: \"no\"\n"
            + "    depends_on: {api: {condition: service_started}}\n";
    assertThat(ComposeRules.of(justified, Map.of("other->api", "a reason")).violations()).isEmpty();
  }

  @Test
  @DisplayName(
      "the checker refuses waiting for health without a healthcheck, or completion of a server")
  void refusesWaitsThatCannotEnd() {
    assertThat(
            violations(
                """
              tool:
                image: x
                restart: "no"
                depends_on: {migrate: {condition: service_healthy}, api: {condition: service_completed_successfully}, ghost: {condition: service_healthy}}
            """))
        .containsExactly(
            "tool: waits for migrate to be healthy, which has no healthcheck",
            "tool: waits for api to complete, which is not one-shot",
            "tool: depends_on ghost, which is no service");
  }

  @Test
  @DisplayName("the checker refuses defaulted, unrequired and literal secrets")
  void refusesDefaultedSecrets() {
    assertThat(
            violations(
                """
              db:
                image: x
                restart: "no"
                environment:
                  POSTGRES_PASSWORD: ${DB_PASSWORD:-citybrain}
                  JWT_SECRET: hunter2
                  API_TOKEN: ${TOKEN-abc}
                  OK_PASSWORD: ${GOOD:?set GOOD}
                  MQTT_PASSWORD_FILE: /job/mqtt.password
                  URL: jdbc:postgresql://db/x?user=a&password=${LOOSE}
              lit:
                image: x
                restart: "no"
                command: run --db-url jdbc:postgresql://db/x?user=a&password=secret1
              listed:
                image: x
                restart: "no"
                environment: [DB_PASSWORD=plain]
            """))
        .containsExactlyInAnyOrder(
            "${DB_PASSWORD} has a default",
            "${TOKEN} has a default",
            "${DB_PASSWORD} is never required (${DB_PASSWORD:?message})",
            "${TOKEN} is never required (${TOKEN:?message})",
            "${LOOSE} is never required (${LOOSE:?message})",
            "db: POSTGRES_PASSWORD is not a required variable (${VAR:?message})",
            "db: JWT_SECRET is not a required variable (${VAR:?message})",
            "db: API_TOKEN is not a required variable (${VAR:?message})",
            "lit: a URL holds a literal password",
            "listed: DB_PASSWORD is not a required variable (${VAR:?message})");
  }

  @Test
  @DisplayName("the checker refuses ports published beyond loopback")
  void refusesOpenPorts() {
    assertThat(
            violations(
                """
              web:
                image: x
                restart: "no"
                ports: ["8080:8080", "0.0.0.0:81:81", "127.0.0.1:82:82", {target: 83, published: 83}, {target: 84, host_ip: 127.0.0.1}]
            """))
        .containsExactly(
            "web: port \"8080:8080\" is not bound to 127.0.0.1",
            "web: port \"0.0.0.0:81:81\" is not bound to 127.0.0.1",
            "web: port {\"target\":83,\"published\":83} is not bound to 127.0.0.1");
  }

  @Test
  @DisplayName("the checker refuses a long-running service without a healthcheck")
  void refusesMissingHealthchecks() {
    assertThat(
            violations(
                """
              server: {image: x}
              restarted: {image: x, restart: unless-stopped}
              disabled: {image: x, healthcheck: {test: [NONE]}}
            """))
        .containsExactly(
            "server: runs on but has no healthcheck",
            "restarted: runs on but has no healthcheck",
            "disabled: runs on but has no healthcheck");
  }

  @Test
  @DisplayName(
      "the checker refuses Flink without RocksDB, the shared checkpoints or their retention")
  void refusesFlinkWithoutRetainedRocksDb() {
    String broken =
        FLINK
            .replace("state.backend.type: rocksdb", "state.backend.type: hashmap")
            .replace("RETAIN_ON_CANCELLATION", "NO_EXTERNALIZED_CHECKPOINTS")
            .replace("volumes: [flink-checkpoints:/flink-checkpoints]", "volumes: [other:/x]");
    assertThat(ComposeRules.of("services:\n" + broken, Map.of()).violations())
        .containsExactly(
            "jobmanager: Flink without state.backend.type: rocksdb",
            "jobmanager: Flink without the shared volume flink-checkpoints:/flink-checkpoints",
            "jobmanager: checkpoints are not retained (RETAIN_ON_CANCELLATION)");
    String noDir = FLINK.replace("execution.checkpointing.dir: file:///flink-checkpoints", "");
    assertThat(ComposeRules.of("services:\n" + noDir, Map.of()).violations())
        .containsExactly(
            "jobmanager: Flink without execution.checkpointing.dir: file:///flink-checkpoints");
    String noJobManager = FLINK.replace("command: jobmanager", "command: taskmanager");
    assertThat(ComposeRules.of("services:\n" + noJobManager, Map.of()).violations())
        .containsExactly("no Flink JobManager (image flink:*, command jobmanager)");
  }

  @Test
  @DisplayName("the checker refuses a job or an API that does not wait for the migration")
  void refusesStartBeforeMigrate() {
    String early =
        FLINK
            .replace(
                "  stream-job:\n    image: x\n    restart: \"no\"\n"
                    + "    depends_on: {migrate: {condition: service_completed_successfully}}\n",
                "  stream-job: {image: x, restart: \"no\", depends_on: {migrate: {condition: service_healthy}}}\n")
            .replace(
                "    healthcheck: {test: [CMD, \"true\"]}\n"
                    + "    depends_on: {migrate: {condition: service_completed_successfully}}\n",
                "    healthcheck: {test: [CMD, \"true\"]}\n");
    assertThat(ComposeRules.of("services:\n" + early, Map.of()).violations())
        .containsExactly(
            "stream-job: waits for migrate to be healthy, which has no healthcheck",
            "stream-job: does not wait for migrate to complete successfully",
            "api: does not wait for migrate to complete successfully");
  }

  /** The services mounting a volume whose entry starts with this prefix. */
  private static List<String> mounting(String prefix) {
    List<String> out = new ArrayList<>();
    services
        .fields()
        .forEachRemaining(
            s -> {
              if (ComposeRules.volumes(s.getValue()).stream().anyMatch(v -> v.startsWith(prefix))) {
                out.add(s.getKey());
              }
            });
    return out;
  }

  /** A service's volumes that hold credentials (every volume named *credentials or ca-key). */
  private static List<String> credentialVolumes(String service) {
    return volumes(service).stream()
        .filter(v -> v.split(":")[0].endsWith("credentials") || v.startsWith("ca-key:"))
        .toList();
  }

  private static String dependency(String service, String on) {
    JsonNode c = services.get(service).path("depends_on").path(on).path("condition");
    return c.isMissingNode() ? null : c.asText();
  }

  private static List<String> volumes(String service) {
    return ComposeRules.volumes(services.get(service));
  }

  private static String command(String service) {
    return ComposeRules.command(services.get(service));
  }
}
