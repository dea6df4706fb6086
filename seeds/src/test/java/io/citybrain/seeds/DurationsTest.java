package io.citybrain.seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.settings.InvalidSettingException;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Durations as people write them, and the fleet scale's bounds: no command line involved. */
class DurationsTest {

  @Test
  @DisplayName("500ms, 10s, 5m, 2h and ISO-8601 read as durations; anything else says what works")
  void parse() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse(" 10s ")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("1.5m")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("2H")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("pt30s")).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> Durations.parse("soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'soon' is not a duration (e.g. 500ms, 10s, 5m, 2h, PT30S)");
  }

  @Test
  @DisplayName("the fleet scale is positive and at most 1000, said in domain words")
  void scale() {
    assertThat(FleetExpander.checkScale(0.1)).isEqualTo(0.1);
    assertThatThrownBy(() -> FleetExpander.checkScale(0))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("scale must be a positive number, was 0.0");
    assertThatThrownBy(() -> FleetExpander.checkScale(2_000))
        .hasMessage("scale must be at most 1000.0, was 2000.0");
  }
}
