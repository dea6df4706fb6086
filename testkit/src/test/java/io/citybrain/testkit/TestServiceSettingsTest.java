package io.citybrain.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.settings.InvalidSettingException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The tests' own settings: checked with the variable's name, described with passwords masked. */
class TestServiceSettingsTest {

  @Test
  @DisplayName("a malformed URL names its variable; the description masks the database password")
  void settings() {
    assertThatThrownBy(
            () -> new TestServiceSettings(ServiceMode.AUTO, "localhost", null, null, null))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("CITYBRAIN_TEST_MQTT_URL must look like tcp://host:port, was 'localhost'");
    assertThatThrownBy(
            () ->
                new TestServiceSettings(
                    ServiceMode.AUTO, null, null, null, "postgres://h/db?password=s3"))
        .hasMessage(
            "CITYBRAIN_TEST_PG_URL must look like jdbc:postgresql://host:port/database?user=name, "
                + "was 'postgres://h/db?password=***'");
    assertThat(
            new TestServiceSettings(
                    ServiceMode.CONFIGURED,
                    "tcp://127.0.0.1:1884",
                    "ssl://127.0.0.1:8884",
                    Path.of("/tmp/ci/credentials"),
                    "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&password=s3")
                .describe()
                .toString()
                .lines())
        .containsExactly(
            "test services:",
            "  CITYBRAIN_TEST_SERVICES      configured",
            "  CITYBRAIN_TEST_MQTT_URL      tcp://127.0.0.1:1884",
            "  CITYBRAIN_TEST_MQTT_TLS_URL  ssl://127.0.0.1:8884",
            "  CITYBRAIN_TEST_CREDENTIALS   /tmp/ci/credentials",
            "  CITYBRAIN_TEST_PG_URL        "
                + "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&password=***");
    assertThatThrownBy(
            () ->
                new TestServiceSettings(ServiceMode.AUTO, "tcp://127.0.0.1:1884", null, null, null))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage(
            "CITYBRAIN_TEST_CREDENTIALS must name the installation folder the broker at "
                + "tcp://127.0.0.1:1884 was provisioned with (citybrain provision --out DIR), "
                + "was not set");
  }
}
