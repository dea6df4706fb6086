package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml checked by parsing it (there is no Docker engine here): every service runs
 * something, credentials come from the provisioning service, each service mounts only its own,
 * ports stay on loopback and no secret has a default.
 */
class ComposeFileTest {
  private static final Path ROOT = Path.of("..");
  private static String text;
  private static JsonNode services;

  @BeforeAll
  static void read() throws IOException {
    text = Files.readString(ROOT.resolve("docker-compose.yml"));
    services = new ObjectMapper(new YAMLFactory()).readTree(text).get("services");
  }

  @Test
  void everyServiceHasAnImageOrABuild() {
    services
        .fields()
        .forEachRemaining(
            s ->
                assertThat(s.getValue().has("image") || s.getValue().has("build"))
                    .as(s.getKey())
                    .isTrue());
  }

  @Test
  void noSecretHasADefaultAndPortsStayOnLoopback() {
    // ${VAR:-default} or ${VAR-default} would run with a known value when unset.
    assertThat(Pattern.compile("\\$\\{[A-Z_]+:?-").matcher(text).find()).isFalse();
    services
        .fields()
        .forEachRemaining(
            s -> {
              for (JsonNode port : s.getValue().path("ports")) {
                assertThat(port.asText()).as(s.getKey()).startsWith("127.0.0.1:");
              }
            });
  }

  @Test
  void theBrokerStartsOnlyWithProvisionedCredentialsAndRefusesAnonymousClients()
      throws IOException {
    assertThat(dependency("mqtt", "provision")).isEqualTo("service_completed_successfully");
    assertThat(volumes("mqtt")).contains("broker-credentials:/mosquitto/credentials");
    assertThat(volumes("mqtt"))
        .contains("./config/mosquitto/mosquitto.conf:/mosquitto/config/mosquitto.conf:ro");
    assertThat(services.get("mqtt").has("healthcheck")).isTrue();
    String conf = Files.readString(ROOT.resolve("config/mosquitto/mosquitto.conf"));
    assertThat(conf).contains("allow_anonymous false").contains("mosquitto_dynamic_security.so");
    assertThat(conf).doesNotContain("allow_anonymous true");
  }

  @Test
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
            // The runtime role, never the schema's owner.
            "user=citybrain_app&password=${CITYBRAIN_DB_RUNTIME_PASSWORD}")
        .doesNotContain("--credentials")
        .doesNotContain("CITYBRAIN_DB_PASSWORD");
    assertThat(credentialVolumes("taskmanager")).containsExactly("job-credentials:/job:ro");
    assertThat(volumes("provision")).contains("job-credentials:/credentials/job");
    assertThat(command("provision"))
        .contains("--tls-name mqtt", "chown -R 9999:9999 /credentials/job");
    assertThat(mounting("ca-key:")).containsExactly("provision");
    assertThat(mounting("credentials:")).containsExactly("provision");
  }

  @Test
  void clientsLogInOverTlsTrustingTheInstallationsCa() {
    assertThat(command("simulator"))
        .contains("--mqtt-url ssl://mqtt:8883", "--mqtt-ca /fleet/ca.crt")
        .doesNotContain("tcp://");
    assertThat(command("stream-job"))
        .contains("--mqtt-url ssl://mqtt:8883", "--mqtt-ca /job/ca.crt")
        .doesNotContain("tcp://mqtt");
    assertThat(services.get("mqtt").path("ports").toString())
        .contains("127.0.0.1:8883:8883", "127.0.0.1:1883:1883");
  }

  /** The services mounting a volume whose entry starts with this prefix. */
  private static List<String> mounting(String prefix) {
    List<String> out = new ArrayList<>();
    services
        .fields()
        .forEachRemaining(
            s -> {
              if (volumes(s.getKey()).stream().anyMatch(v -> v.startsWith(prefix))) {
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

  @Test
  void clientsWaitForAHealthyBrokerAndTheJobForTheSchema() {
    assertThat(dependency("simulator", "mqtt")).isEqualTo("service_healthy");
    assertThat(dependency("stream-job", "mqtt")).isEqualTo("service_healthy");
    assertThat(dependency("stream-job", "migrate")).isEqualTo("service_completed_successfully");
  }

  private static String dependency(String service, String on) {
    JsonNode c = services.get(service).path("depends_on").path(on).path("condition");
    return c.isMissingNode() ? null : c.asText();
  }

  private static List<String> volumes(String service) {
    List<String> out = new ArrayList<>();
    services.get(service).path("volumes").forEach(v -> out.add(v.asText()));
    return out;
  }

  private static String command(String service) {
    JsonNode c = services.get(service).path("command");
    if (c.isArray()) {
      List<String> parts = new ArrayList<>();
      c.forEach(p -> parts.add(p.asText()));
      return String.join(" ", parts);
    }
    return c.asText();
  }
}
