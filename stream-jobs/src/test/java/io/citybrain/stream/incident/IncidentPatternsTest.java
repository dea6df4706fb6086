package io.citybrain.stream.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.IncidentPattern;
import io.citybrain.seeds.IncidentPattern.Step;
import io.citybrain.seeds.SeedLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.Quantifier.ConsumingStrategy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IncidentPatternsTest {
  static final CitySeeds SEEDS = SeedLoader.load();

  static IncidentPattern pattern(String id) {
    return SEEDS.incidentPatterns().stream()
        .filter(p -> p.id().equals(id))
        .findFirst()
        .orElseThrow();
  }

  static Step step(
      String alert,
      String camera,
      String reading,
      Double above,
      Integer minCount,
      Boolean other,
      Double withinM) {
    return new Step(alert, camera, reading, above, minCount, other, withinM, null);
  }

  /** The CEP steps of a compiled pattern, first to last. */
  static List<Pattern<Signal, ?>> chain(Pattern<Signal, ?> last) {
    List<Pattern<Signal, ?>> chain = new ArrayList<>();
    for (Pattern<Signal, ?> p = last; p != null; p = p.getPrevious()) {
      chain.add(0, p);
    }
    return chain;
  }

  @Test
  @DisplayName(
      "Every seed pattern compiles to a CEP pattern with its time bound, one CEP step per seed step")
  void everySeedPatternCompiles() {
    assertThat(SEEDS.incidentPatterns()).isNotEmpty();
    for (IncidentPattern p : SEEDS.incidentPatterns()) {
      Pattern<Signal, Signal> compiled = IncidentPatterns.compile(p);
      List<Pattern<Signal, ?>> chain = chain(compiled);
      assertThat(chain).as(p.id()).hasSize(IncidentPatterns.stepCount(p));
      assertThat(compiled.getWindowSize())
          .as(p.id())
          .contains(Duration.ofMinutes(p.withinMinutes()));
      // A storm matches at each alert from the min_alerts-th on, so IncidentGate links every one.
      assertThat(chain.get(0).getAfterMatchSkipStrategy())
          .as(p.id())
          .isEqualTo(
              p.isStorm()
                  ? AfterMatchSkipStrategy.noSkip()
                  : AfterMatchSkipStrategy.skipPastLastEvent());
      // The NFA compiler accepts it (names, quantifiers, window).
      assertThat(NFACompiler.compileFactory(compiled, false).createNFA()).isNotNull();
    }
  }

  @Test
  @DisplayName(
      "Steps follow with relaxed contiguity; min_count is times(n) skipping till next, never combinations")
  void floodShape() {
    List<Pattern<Signal, ?>> flood = chain(IncidentPatterns.compile(pattern("flood")));
    assertThat(flood).extracting(Pattern::getName).containsExactly("step0", "step1", "step2");
    assertThat(flood.get(1).getQuantifier().getConsumingStrategy())
        .isEqualTo(ConsumingStrategy.SKIP_TILL_NEXT);
    assertThat(flood.get(2).getQuantifier().getConsumingStrategy())
        .isEqualTo(ConsumingStrategy.SKIP_TILL_NEXT);
    assertThat(flood.get(2).getQuantifier().getInnerConsumingStrategy())
        .isEqualTo(ConsumingStrategy.SKIP_TILL_NEXT);
    assertThat(flood.get(2).getTimes().getFrom()).isEqualTo(3);
    assertThat(flood.get(2).getTimes().getTo()).isEqualTo(3);
  }

  @Test
  @DisplayName("A storm pattern is min_alerts alerts of any rule")
  void storm() {
    List<Pattern<Signal, ?>> storm = chain(IncidentPatterns.compile(pattern("alert_storm")));
    assertThat(storm).hasSize(1);
    assertThat(storm.get(0).getTimes().getFrom()).isEqualTo(5);
    assertThat(
            IncidentPatterns.signalsOf(pattern("alert_storm"))
                .uses(Signals.alert("DP", 0, "any_rule", "a")))
        .isTrue();
  }

  @Test
  @DisplayName(
      "The job feeds alerts, the camera types the patterns name, and metrics above the patterns' thresholds")
  void usedByAnyPattern() {
    UsedSignals used = IncidentPatterns.signalsOf(SEEDS.incidentPatterns());
    double lat = Signals.LAT;
    double lon = Signals.LON;
    assertThat(used.uses(Signals.alert("DP", 0, "noise_high", "a")))
        .as("storm takes every alert")
        .isTrue();
    assertThat(used.uses(Signals.camera("DP", 0, "road_flooding", "c", 1, lat, lon))).isTrue();
    assertThat(used.uses(Signals.camera("DP", 0, "smoke_fire", "c", 1, lat, lon))).isTrue();
    assertThat(used.uses(Signals.camera("DP", 0, "crowd_gathering", "c", 1, lat, lon))).isTrue();
    assertThat(used.uses(Signals.camera("DP", 0, "traffic_accident", "c", 1, lat, lon))).isTrue();
    assertThat(used.uses(Signals.camera("DP", 0, "illegal_parking", "c", 1, lat, lon))).isFalse();
    assertThat(used.uses(Signals.camera("DP", 0, "garbage_overflow", "c", 1, lat, lon))).isFalse();
    assertThat(used.uses(Signals.reading("DP", 0, "temperature_c", 55, "t", 1, lat, lon))).isTrue();
    assertThat(used.uses(Signals.reading("DP", 0, "temperature_c", 50, "t", 1, lat, lon)))
        .as("above is strict")
        .isFalse();
    assertThat(used.uses(Signals.reading("DP", 0, "temperature_c", 31, "t", 1, lat, lon)))
        .isFalse();
    assertThat(used.uses(Signals.reading("DP", 0, "pm25", 500, "t", 1, lat, lon))).isFalse();
  }

  @Test
  @DisplayName("Each pattern's CEP operator is fed only its own signals")
  void usedByOnePattern() {
    UsedSignals flood = IncidentPatterns.signalsOf(pattern("flood"));
    assertThat(flood.uses(Signals.alert("DP", 0, "rainfall_heavy", "a"))).isTrue();
    assertThat(flood.uses(Signals.alert("DP", 0, "water_level_warning", "a"))).isTrue();
    assertThat(flood.uses(Signals.alert("DP", 0, "crowd_dense", "a"))).isFalse();
    assertThat(flood.uses(Signals.camera("DP", 0, "road_flooding", "c", 1, 0, 0))).isTrue();
    assertThat(flood.uses(Signals.camera("DP", 0, "smoke_fire", "c", 1, 0, 0))).isFalse();
    UsedSignals fire = IncidentPatterns.signalsOf(pattern("fire"));
    assertThat(fire.uses(Signals.camera("DP", 0, "smoke_fire", "c", 1, 0, 0))).isTrue();
    assertThat(fire.uses(Signals.reading("DP", 0, "temperature_c", 55, "t", 1, 0, 0))).isTrue();
    assertThat(fire.uses(Signals.alert("DP", 0, "rainfall_heavy", "a"))).isFalse();
  }

  @Test
  @DisplayName("A pattern that is not in the shipped seeds compiles from its data alone")
  void newPattern() {
    IncidentPattern heat =
        new IncidentPattern(
            "heat_wave",
            "Heat wave",
            null,
            "medium",
            60,
            null,
            "heat_response",
            List.of(
                step(null, null, "temperature_c", 38.0, 4, null, null),
                new Step(
                    null,
                    null,
                    null,
                    null,
                    2,
                    null,
                    null,
                    List.of(
                        step("heat_high", null, null, null, null, null, null),
                        step(null, "crowd_gathering", null, null, null, true, 1000.0)))));
    Pattern<Signal, Signal> compiled = IncidentPatterns.compile(heat);
    assertThat(chain(compiled)).hasSize(2);
    assertThat(compiled.getTimes().getFrom()).isEqualTo(2);
    assertThat(NFACompiler.compileFactory(compiled, false).createNFA()).isNotNull();
    UsedSignals used = IncidentPatterns.signalsOf(heat);
    assertThat(used.uses(Signals.reading("DP", 0, "temperature_c", 39, "t", 1, 0, 0))).isTrue();
    assertThat(used.uses(Signals.reading("DP", 0, "temperature_c", 37, "t", 1, 0, 0))).isFalse();
    assertThat(used.uses(Signals.alert("DP", 0, "heat_high", "a"))).isTrue();
    assertThat(used.uses(Signals.camera("DP", 0, "crowd_gathering", "c", 1, 0, 0))).isTrue();
  }

  @Test
  @DisplayName("min_count inside an any_of alternative is rejected with the pattern named")
  void minCountInsideAnyOf() {
    IncidentPattern bad =
        new IncidentPattern(
            "bad",
            "Bad",
            null,
            "low",
            5,
            null,
            "fire_response",
            List.of(
                step(null, "smoke_fire", null, null, null, null, null),
                new Step(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    List.of(step(null, "smoke_fire", null, null, 2, null, null)))));
    assertThatThrownBy(() -> IncidentPatterns.compile(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad")
        .hasMessageContaining("min_count inside any_of");
  }
}
