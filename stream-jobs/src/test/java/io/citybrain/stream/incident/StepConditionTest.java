package io.citybrain.stream.incident;

import static io.citybrain.stream.incident.Signals.LAT;
import static io.citybrain.stream.incident.Signals.LON;
import static io.citybrain.stream.incident.Signals.north;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.citybrain.seeds.Geo;
import io.citybrain.seeds.IncidentPattern.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StepConditionTest {

  /**
   * The fire pattern's second step (any_of), judged against a partial match that holds {@code
   * first}.
   */
  private static boolean fireConfirms(Signal first, Signal candidate) throws Exception {
    Step anyOf = IncidentPatternsTest.pattern("fire").steps().get(1);
    List<StepMatcher> alternatives = new ArrayList<>();
    anyOf.anyOf().forEach(a -> alternatives.add(StepMatcher.of(a)));
    return new StepCondition(alternatives, "step0")
        .filter(candidate, partial(Map.of("step0", List.of(first))));
  }

  static IterativeCondition.Context<Signal> partial(Map<String, List<Signal>> taken) {
    return new IterativeCondition.Context<>() {
      @Override
      public Iterable<Signal> getEventsForPattern(String name) {
        return taken.getOrDefault(name, List.of());
      }

      @Override
      public long timestamp() {
        return 0;
      }

      @Override
      public long currentProcessingTime() {
        return 0;
      }
    };
  }

  private static final Signal SMOKE = Signals.camera("DP", 0, "smoke_fire", "cam-1", 1, LAT, LON);

  @Test
  @DisplayName(
      "Haversine: 0.01 degree of latitude is about 1,112 m; an unknown position has no distance")
  void distance() {
    assertThat(Geo.distanceM(22.59, 114.48, 22.60, 114.48)).isCloseTo(1112, within(2.0));
    assertThat(Geo.distanceM(LAT, LON, north(200), LON)).isCloseTo(200, within(0.5));
    assertThat(Geo.distanceM(Double.NaN, Double.NaN, LAT, LON)).isNaN();
  }

  @Test
  @DisplayName("Fire: a hot reading confirms within 500 m, not 2 km away, not at 50 degrees")
  void hotReading() throws Exception {
    assertThat(
            fireConfirms(
                SMOKE, Signals.reading("DP", 1, "temperature_c", 55, "t-1", 1, north(200), LON)))
        .isTrue();
    assertThat(
            fireConfirms(
                SMOKE, Signals.reading("DP", 1, "temperature_c", 55, "t-1", 1, north(2000), LON)))
        .isFalse();
    assertThat(
            fireConfirms(
                SMOKE, Signals.reading("DP", 1, "temperature_c", 50, "t-1", 1, north(200), LON)))
        .isFalse();
    assertThat(
            fireConfirms(
                SMOKE,
                Signals.reading("DP", 1, "temperature_c", 55, "t-1", 1, Double.NaN, Double.NaN)))
        .as("unknown position")
        .isFalse();
  }

  @Test
  @DisplayName(
      "Fire: smoke from another camera within 300 m confirms; the same camera or one 400 m away does not")
  void secondCamera() throws Exception {
    assertThat(
            fireConfirms(SMOKE, Signals.camera("DP", 1, "smoke_fire", "cam-2", 1, north(100), LON)))
        .isTrue();
    assertThat(fireConfirms(SMOKE, Signals.camera("DP", 1, "smoke_fire", "cam-1", 2, LAT, LON)))
        .isFalse();
    assertThat(
            fireConfirms(SMOKE, Signals.camera("DP", 1, "smoke_fire", "cam-2", 1, north(400), LON)))
        .isFalse();
  }

  @Test
  @DisplayName(
      "The first signal of a match relates to itself: a distance bound on step 0 accepts it")
  void firstSignal() throws Exception {
    StepCondition near =
        new StepCondition(
            List.of(new StepMatcher(Signal.CAMERA, "smoke_fire", null, 100.0, true)), "step0");
    assertThat(near.filter(SMOKE, partial(Map.of()))).isTrue();
    assertThat(
            near.filter(
                Signals.camera("DP", 1, "smoke_fire", "cam-2", 1, north(50), LON),
                partial(Map.of("step0", List.of(SMOKE)))))
        .isTrue();
  }
}
