package io.citybrain.seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenarios are data files checked against the city: every shipped one loads, a bad one names file
 * and key.
 */
class ScenariosTest {
  private final CitySeeds seeds = SeedLoader.load();

  @Test
  @DisplayName("every shipped scenario loads and the flood one floods Dapeng")
  void shippedScenariosLoad() {
    for (String id : ScenarioLoader.SHIPPED) {
      assertThat(ScenarioLoader.load(id, SeedSource.classpath(), seeds).id()).isEqualTo(id);
    }
    Scenario flood = ScenarioLoader.load("flood", SeedSource.classpath(), seeds);
    assertThat(flood.effects()).extracting(Scenario.Effect::district).containsOnly("DP");
    assertThat(flood.effects()).extracting(Scenario.Effect::camera).contains("road_flooding");
  }

  @Test
  @DisplayName("an effect ramps in, holds, and ramps out after its end")
  void strengthRamps() {
    Scenario.Effect e =
        new Scenario.Effect(
            10, 100, "DP", "rainfall_mm_h", 70.0, null, null, null, null, 20.0, null, null, null);
    assertThat(e.strength(5)).isZero();
    assertThat(e.strength(20)).isEqualTo(0.5);
    assertThat(e.strength(50)).isEqualTo(1);
    assertThat(e.strength(110)).isEqualTo(0.5);
    assertThat(e.strength(130)).isZero();
  }

  @Test
  @DisplayName(
      "an unknown scenario id lists the shipped ones; a bad file names the file and the key")
  void badScenarios(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> ScenarioLoader.load("tsunami", SeedSource.classpath(), seeds))
        .hasMessageContaining("unknown scenario 'tsunami' (shipped: normal_day, flood");
    Path file = dir.resolve("storm.yaml");
    Files.writeString(
        file,
        """
        id: storm
        duration_s: 60
        effects:
          - {at_s: 0, district: XX, metric: rainfall_mm_h, set: 90}
          - {at_s: 5, district: DP, camera: road_flooding, share: 1.5}
        """);
    assertThatThrownBy(() -> ScenarioLoader.load(file.toString(), SeedSource.classpath(), seeds))
        .isInstanceOf(SeedException.class)
        .hasMessageContaining("storm.yaml: effects[0].district: unknown district 'XX'")
        .hasMessageContaining("storm.yaml: effects[1].share: must be in (0, 1], was 1.5");
  }
}
