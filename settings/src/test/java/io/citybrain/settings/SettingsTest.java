package io.citybrain.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The shared checks' wording, the masking and the description's layout. */
class SettingsTest {

  @Test
  @DisplayName("a failed check names the setting in domain words; a CLI restates it as its flag")
  void messages() {
    assertThatThrownBy(() -> Check.positive(Duration.ZERO, "checkpoint interval"))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("checkpoint interval must be a positive duration, was PT0S");
    InvalidSettingException e =
        new InvalidSettingException("speed", "must be a positive number, was 0.0");
    assertThat(e.restatedFor(s -> "--" + s))
        .isEqualTo("--speed must be a positive number, was 0.0");
    assertThatThrownBy(() -> Check.within(70_000, 0, 65_535, "port"))
        .hasMessage("port must be within 0..65535, was 70000");
    assertThatThrownBy(() -> Check.jdbcUrl("postgres://x?password=s3cret", "database URL"))
        .hasMessageContaining("password=***")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> Check.mqttUrl("mqtt://host", "MQTT URL"))
        .hasMessage(
            "MQTT URL must look like tcp://host:port or ssl://host:port, was 'mqtt://host'");
    assertThat(Check.mqttUrl("ssl://broker.example:8883", "MQTT URL"))
        .isEqualTo("ssl://broker.example:8883");
  }

  @Test
  @DisplayName("numbers, rates and URLs are checked with one wording each")
  void sharedChecks() {
    assertThat(Check.positive(0.5, "speed")).isEqualTo(0.5);
    assertThatThrownBy(() -> Check.positive(0.0, "speed"))
        .hasMessage("speed must be a positive number, was 0.0");
    assertThatThrownBy(() -> Check.positive(Double.POSITIVE_INFINITY, "scale"))
        .hasMessage("scale must be a positive number, was Infinity");
    assertThatThrownBy(() -> Check.positive(Double.NaN, "scale"))
        .hasMessage("scale must be a positive number, was NaN");
    assertThat(Check.rate(1.0, "fault skew")).isEqualTo(1.0);
    assertThatThrownBy(() -> Check.rate(1.5, "fault skew"))
        .hasMessage("fault skew must be a rate within 0..1, was 1.5");
    assertThatThrownBy(() -> Check.notNegative(-1L, "count"))
        .hasMessage("count must not be negative, was -1");
    assertThatThrownBy(() -> Check.required(" ", "pool name", "citybrain-api"))
        .hasMessage("pool name is required (e.g. citybrain-api)");
    for (String bad :
        new String[] {
          "tcp://host:0", "tcp://host:65536", "tcp://host", "tcp://host:1883/path", "ws://host:80"
        }) {
      assertThatThrownBy(() -> Check.mqttUrl(bad, "MQTT URL"))
          .as(bad)
          .isInstanceOf(InvalidSettingException.class)
          .hasMessage(
              "MQTT URL must look like tcp://host:port or ssl://host:port, was '" + bad + "'");
    }
    assertThatThrownBy(() -> Check.mqttUrl(null, "MQTT URL"))
        .hasMessage("MQTT URL must look like tcp://host:port or ssl://host:port, was not set");
    // Credentials do not belong in the URL (they are settings of their own): refused, and masked.
    assertThatThrownBy(() -> Check.mqttUrl("tcp://device:s3cret@broker:1883", "MQTT URL"))
        .hasMessageContaining("'tcp://device:***@broker:1883'")
        .hasMessageNotContaining("s3cret");
    assertThat(Check.mqttUrl("tcp://127.0.0.1:65535", "MQTT URL"))
        .isEqualTo("tcp://127.0.0.1:65535");
  }

  @Test
  @DisplayName("passwords in query strings and user info are masked, nothing else changes")
  void redaction() {
    assertThat(Redact.url("jdbc:postgresql://h:5432/db?user=u&password=p%40ss&ssl=true"))
        .isEqualTo("jdbc:postgresql://h:5432/db?user=u&password=***&ssl=true");
    assertThat(Redact.url("ssl://device:secret@broker:8883"))
        .isEqualTo("ssl://device:***@broker:8883");
    assertThat(Redact.url("tcp://127.0.0.1:1883")).isEqualTo("tcp://127.0.0.1:1883");
    assertThat(Redact.secret(null)).isEqualTo("(not set)");
    assertThat(Redact.secret("k")).isEqualTo("***");
  }

  @Test
  @DisplayName("a description lists every setting aligned, with secrets masked")
  void description() {
    String text =
        new Description("api")
            .add("port", 8080)
            .url("database", "jdbc:postgresql://h/db?password=x")
            .secret("jwt secret", "x".repeat(40))
            .toString();
    assertThat(text.lines())
        .containsExactly(
            "api:",
            "  port        8080",
            "  database    jdbc:postgresql://h/db?password=***",
            "  jwt secret  ***");
  }

  @Test
  @DisplayName("a description includes a part's lines in place, aligned with its own")
  void includedPart() {
    Described mqtt =
        () -> new Description("mqtt").url("MQTT URL", "ssl://broker:8883").add("QoS", 1);
    assertThat(new Description("sim").add("rate", "max").include(mqtt).toString().lines())
        .containsExactly(
            "sim:", "  rate      max", "  MQTT URL  ssl://broker:8883", "  QoS       1");
  }
}
