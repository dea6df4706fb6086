package io.citybrain.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.access.BrokerLogin;
import io.citybrain.settings.InvalidSettingException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The source's settings: checked in domain words, described, and divided between lanes. */
class MqttSourceConfigTest {
  private static final List<String> FILTERS =
      List.of("city/v1/DP/reading/+", "city/v1/LG/reading/+", "city/v1/FT/reading/+");

  @Test
  @DisplayName("a bad setting fails naming it, in domain words")
  void validation() {
    assertThatThrownBy(() -> config(null, 2, false))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("broker URL is required (e.g. tcp://127.0.0.1:1883)");
    assertThatThrownBy(() -> config("tcp://broker:1883", 4, false))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageStartingWith("lanes must not outnumber the 3 topic filters")
        .extracting(e -> ((InvalidSettingException) e).setting())
        .isEqualTo("lanes");
    assertThat(config("tcp://broker:1883", 4, true).lanes()).isEqualTo(4);
  }

  @Test
  @DisplayName("disjoint lanes divide the filters; a shared subscription gives every lane all")
  void filtersByLane() {
    MqttSourceConfig disjoint = config("tcp://broker:1883", 2, false);
    assertThat(disjoint.filtersOf(0)).containsExactly(FILTERS.get(0), FILTERS.get(2));
    assertThat(disjoint.filtersOf(1)).containsExactly(FILTERS.get(1));
    assertThat(disjoint.filtersNotOf(1)).contains(FILTERS.get(0), "$share/job/" + FILTERS.get(1));
    assertThat(config("tcp://broker:1883", 2, true).filtersOf(1))
        .allMatch(f -> f.startsWith("$share/job/"))
        .hasSize(3);
    assertThat(disjoint.clientId(1)).isEqualTo("job-lane-1");
  }

  @Test
  @DisplayName("the description names every setting")
  void description() {
    assertThat(config("tcp://broker:1883", 2, false).describe().toString())
        .contains("broker URL", "tcp://broker:1883", "lanes", "2 (disjoint)", "session expiry")
        .contains("broker login", "citybrain-job")
        .doesNotContain("job-password");
  }

  private static MqttSourceConfig config(String url, int lanes, boolean shared) {
    return new MqttSourceConfig(
        url,
        new BrokerLogin("citybrain-job", "job-password"),
        null,
        FILTERS,
        "job",
        lanes,
        1,
        1_000,
        Duration.ofMinutes(1),
        1_000,
        shared);
  }
}
