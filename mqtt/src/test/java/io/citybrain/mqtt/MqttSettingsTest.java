package io.citybrain.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.settings.InvalidSettingException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MqttSettings without a broker: defaults, validation in domain words, the description. */
class MqttSettingsTest {

  @Test
  @DisplayName("of() is a clean session that reconnects by itself; persistentConsumer() resumes")
  void shorthands() {
    MqttSettings publisher = MqttSettings.of("tcp://127.0.0.1:1883", "sim-1");
    assertThat(publisher.cleanStart()).isTrue();
    assertThat(publisher.automaticReconnect()).isTrue();
    assertThat(publisher.manualAcks()).isFalse();
    assertThat(publisher.sessionExpirySeconds()).isZero();
    assertThat(publisher.maxInflight()).isEqualTo(MqttSettings.DEFAULT_MAX_INFLIGHT);
    assertThat(publisher.connectTimeoutSeconds())
        .isEqualTo(MqttSettings.DEFAULT_CONNECT_TIMEOUT_SECONDS);

    MqttSettings lane =
        MqttSettings.persistentConsumer("ssl://broker.example:8883", "lane-0", 3600, 500);
    assertThat(lane.cleanStart()).isFalse();
    assertThat(lane.automaticReconnect()).isFalse();
    assertThat(lane.manualAcks()).isTrue();
    assertThat(lane.sessionExpirySeconds()).isEqualTo(3600);
    assertThat(lane.maxInflight()).isEqualTo(500);

    assertThat(publisher.withMaxInflight(5).maxInflight()).isEqualTo(5);
    assertThat(publisher.withClientId("sim-2").clientId()).isEqualTo("sim-2");
    assertThat(publisher.toBuilder().build()).isEqualTo(publisher).hasSameHashCodeAs(publisher);
  }

  @Test
  @DisplayName("a bad setting fails in domain words, naming the setting, for a CLI to restate")
  void messages() {
    assertThatThrownBy(() -> MqttSettings.of("localhost:1883", "x"))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage(
            "MQTT URL must look like tcp://host:port or ssl://host:port, was 'localhost:1883'")
        .extracting(e -> ((InvalidSettingException) e).setting())
        .isEqualTo("MQTT URL");
    assertThatThrownBy(() -> MqttSettings.of(null, "x"))
        .hasMessage("MQTT URL must look like tcp://host:port or ssl://host:port, was not set");
    assertThatThrownBy(() -> MqttSettings.of("tcp://h:1883", ""))
        .hasMessage("MQTT client id must be 1-128 characters, was ''");
    assertThatThrownBy(() -> MqttSettings.of("tcp://h:1883", "x".repeat(129)))
        .hasMessageStartingWith("MQTT client id must be 1-128 characters");
    assertThatThrownBy(() -> MqttSettings.of("tcp://h:1883", "x").withMaxInflight(0))
        .hasMessage("MQTT max in flight must be within 1..65535, was 0");
    assertThatThrownBy(() -> MqttSettings.persistentConsumer("tcp://h:1883", "x", -1, 10))
        .hasMessage("MQTT session expiry must not be negative, was -1");
    assertThatThrownBy(
            () -> MqttSettings.builder("tcp://h:1883", "x").connectTimeoutSeconds(0).build())
        .hasMessage("MQTT connect timeout must be at least 1, was 0");
  }

  @Test
  @DisplayName("describe() lists every setting once; a password never shows, even in a refusal")
  void description() {
    assertThat(MqttSettings.persistentConsumer("tcp://mqtt:1883", "lane-3", 600, 200).describe())
        .hasToString(
            String.join(
                System.lineSeparator(),
                "mqtt:",
                "  MQTT URL              tcp://mqtt:1883",
                "  MQTT client id        lane-3",
                "  MQTT session          resumed",
                "  MQTT session expiry   600 s",
                "  MQTT max in flight    200",
                "  MQTT reconnect        by the owner",
                "  MQTT connect timeout  10 s",
                "  MQTT acks             manual",
                "  MQTT username         (anonymous)",
                "  MQTT password         (none)",
                "  MQTT CA certificate   (JVM default)",
                "  MQTT max packet size  262144 bytes"));
    MqttSettings login =
        MqttSettings.of("tcp://mqtt:1883", "job-1").withLogin("citybrain-job", "s3cret-pass");
    assertThat(login.describe().toString())
        .contains("citybrain-job")
        .contains("(set, not shown)")
        .doesNotContain("s3cret-pass");
    assertThat(login.toString()).doesNotContain("s3cret-pass");
    assertThatThrownBy(() -> MqttSettings.builder("tcp://m:1883", "x").login("u", null).build())
        .hasMessage("MQTT login needs both a username and a password, or neither");
    assertThatThrownBy(
            () ->
                MqttSettings.builder("tcp://m:1883", "x")
                    .caCertificate(java.nio.file.Path.of("/etc/hostname"))
                    .build())
        .hasMessageStartingWith("MQTT CA certificate is for TLS: use an ssl:// MQTT URL");
    // Credentials are settings of their own, never part of the URL: such a URL is refused, and the
    // refusal masks the password.
    assertThatThrownBy(() -> MqttSettings.of("ssl://device:s3cret@broker:8883", "x"))
        .hasMessageContaining("'ssl://device:***@broker:8883'")
        .hasMessageNotContaining("s3cret");
    assertThat(MqttSettings.of("tcp://mqtt:1883", "sim").toString())
        .isEqualTo("MqttSettings[tcp://mqtt:1883 as sim]");
  }
}
