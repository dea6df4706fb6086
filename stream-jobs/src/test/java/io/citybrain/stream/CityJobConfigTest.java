package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.access.BrokerLogin;
import io.citybrain.settings.InvalidSettingException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The job's configuration: built one way, checked in domain words, described with masks. */
class CityJobConfigTest {
  private static CityJobConfig.Builder valid() {
    return CityJobConfig.builder()
        .mqttUrl("tcp://127.0.0.1:1883")
        .mqttLogin(new BrokerLogin("citybrain-job", "s3cret-login"))
        .jdbcUrl("jdbc:postgresql://db:5432/citybrain?user=citybrain&password=s3cret")
        .districts(List.of("DP", "LG"));
  }

  @Test
  @DisplayName("defaults are the named constants; the source has a filter per district and class")
  void defaults() {
    CityJobConfig config = valid().build();
    assertThat(config.parallelism()).isEqualTo(CityJobConfig.DEFAULT_PARALLELISM);
    assertThat(config.checkpointInterval()).isEqualTo(CityJobConfig.DEFAULT_CHECKPOINT_INTERVAL);
    assertThat(config.publishResults()).isTrue();
    assertThat(config.source().topicFilters()).hasSize(8).contains("city/v1/DP/reading/+");
  }

  @Test
  @DisplayName("a bad setting fails in domain words, naming the setting and the value")
  void messages() {
    assertThatThrownBy(() -> valid().mqttUrl(null).build())
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("broker URL is required (e.g. tcp://127.0.0.1:1883)");
    assertThatThrownBy(() -> valid().jdbcUrl("postgres://db?password=s3cret").build())
        .hasMessageStartingWith("database URL must be a PostgreSQL JDBC URL")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> valid().checkpointInterval(Duration.ZERO).build())
        .hasMessage("checkpoint interval must be a positive duration, was PT0S");
    assertThatThrownBy(() -> valid().stateBackend("memory").build())
        .hasMessage("state backend must be hashmap or rocksdb, was memory");
    assertThatThrownBy(() -> valid().qos(2).build()).hasMessage("qos must be within 0..1, was 2");
    assertThatThrownBy(() -> valid().districts(List.of()).build())
        .hasMessage("districts must name at least one district");
    assertThatThrownBy(() -> valid().maxSeqJump(0).build())
        .hasMessage("maximum seq jump must be at least 1, was 0");
  }

  @Test
  @DisplayName("the description lists the settings with the database password masked")
  void description() {
    String text = valid().build().describe().toString();
    assertThat(text)
        .startsWith("stream job:")
        .contains("password=***", "checkpoint interval", "PT10S", "DP, LG", "maximum seq jump")
        .doesNotContain("s3cret");
  }

  @Test
  @DisplayName("a variant keeps every other setting; the value survives Java serialization")
  void variantsAndSerialization() throws Exception {
    CityJobConfig config = valid().lanes(3).build().toBuilder().qos(0).build();
    assertThat(config.lanes()).isEqualTo(3);
    assertThat(config.qos()).isZero();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(config);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(((CityJobConfig) in.readObject()).describe().toString())
          .isEqualTo(config.describe().toString());
    }
  }
}
