package io.citybrain.api.response;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.seeds.ResponsePlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Plan fan-out and retry backoff. */
class PlanTargetsTest {
  private static final ResponsePlan PLAN =
      new ResponsePlan(
          "p",
          "p",
          "p",
          60,
          List.of(
              new ResponsePlan.PlanCommand("pump", "start_pump", Map.of("mode", "max"), null),
              new ResponsePlan.PlanCommand("barrier", "close", Map.of(), 1000.0)),
          List.of(),
          null);

  @Test
  @DisplayName(
      "every device of a kind, or those within the distance of the centre, in plan then id order")
  void select() {
    List<PlanTargets.Actuator> actuators =
        List.of(
            new PlanTargets.Actuator("B-2", "barrier", 22.5000, 114.0000),
            new PlanTargets.Actuator("B-1", "barrier", 22.5050, 114.0000),
            new PlanTargets.Actuator("B-far", "barrier", 22.6000, 114.0000),
            new PlanTargets.Actuator("P-1", "pump", 23.0000, 114.0000),
            new PlanTargets.Actuator("S-1", "message_sign", 22.5000, 114.0000));
    List<PlanTargets.Target> targets = PlanTargets.select(PLAN, actuators, 22.5000, 114.0000);
    assertThat(targets)
        .extracting(PlanTargets.Target::deviceId)
        .containsExactly("P-1", "B-1", "B-2");
    assertThat(targets.get(0).params()).containsEntry("mode", "max");
  }

  @Test
  @DisplayName("backoff doubles from the base for each retry and stops at the cap")
  void backoff() {
    Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(3));
    assertThat(
            List.of(
                backoff.delayMs(2),
                backoff.delayMs(3),
                backoff.delayMs(4),
                backoff.delayMs(5),
                backoff.delayMs(60)))
        .containsExactly(500L, 1000L, 2000L, 3000L, 3000L);
  }
}
