package io.citybrain.simulators.work;

import java.time.Duration;
import java.util.Map;

/**
 * How the simulated city handles its work: how long people take at each step (the median, in
 * simulated time, spread log-normally), how often they succeed, and how much faster than real time
 * the simulation runs.
 *
 * <p>The case success rate is the district hub's: 50,879 of 52,297 grid events rectified (97.29%,
 * {@code shared/FACTS.md}); the rest stay in handling for the escalation to find.
 */
public record HandlingModel(
    double speed,
    double caseSuccessRate,
    double reopenRate,
    double taskSuccessRate,
    double handleShareOfSla,
    Map<Step, Duration> medians,
    double spread) {

  /** 50,879 rectified of 52,297 issued. */
  public static final double HUB_RESOLUTION_RATE = 50_879.0 / 52_297.0;

  /** A step a simulated person takes; its median is how long they usually take. */
  public enum Step {
    CASE_PICKUP,
    CASE_CONFIRM,
    CASE_FEEDBACK,
    TASK_ACCEPT,
    TASK_START,
    TASK_FINISH,
    ALERT_ACKNOWLEDGE,
    ALERT_RESOLVE,
    INCIDENT_ACKNOWLEDGE,
    INCIDENT_TRIGGER,
    INCIDENT_RESOLVE,
    INCIDENT_CLOSE
  }

  public HandlingModel {
    if (!(speed > 0) || speed > 100_000) {
      throw new IllegalArgumentException("work speed must be > 0 and at most 100000, was " + speed);
    }
    rate("case success rate", caseSuccessRate);
    rate("reopen rate", reopenRate);
    rate("task success rate", taskSuccessRate);
    if (!(handleShareOfSla > 0 && handleShareOfSla <= 1)) {
      throw new IllegalArgumentException(
          "the handling time's share of the SLA must be within (0, 1], was " + handleShareOfSla);
    }
    for (Step step : Step.values()) {
      if (!medians.containsKey(step)) {
        throw new IllegalArgumentException("handling model has no median for " + step);
      }
    }
    medians = Map.copyOf(medians);
  }

  /** Realistic defaults at a given speed (60: a simulated hour passes in a minute). */
  public static HandlingModel defaults(double speed) {
    return new HandlingModel(
        speed,
        HUB_RESOLUTION_RATE,
        0.02,
        0.95,
        // A third of the SLA: most cases are rectified well within it, a few run over.
        0.33,
        Map.ofEntries(
            Map.entry(Step.CASE_PICKUP, Duration.ofMinutes(10)),
            Map.entry(Step.CASE_CONFIRM, Duration.ofMinutes(15)),
            Map.entry(Step.CASE_FEEDBACK, Duration.ofMinutes(30)),
            Map.entry(Step.TASK_ACCEPT, Duration.ofMinutes(3)),
            Map.entry(Step.TASK_START, Duration.ofMinutes(5)),
            Map.entry(Step.TASK_FINISH, Duration.ofMinutes(30)),
            Map.entry(Step.ALERT_ACKNOWLEDGE, Duration.ofMinutes(2)),
            Map.entry(Step.ALERT_RESOLVE, Duration.ofMinutes(3)),
            Map.entry(Step.INCIDENT_ACKNOWLEDGE, Duration.ofMinutes(3)),
            Map.entry(Step.INCIDENT_TRIGGER, Duration.ofMinutes(2)),
            Map.entry(Step.INCIDENT_RESOLVE, Duration.ofMinutes(5)),
            Map.entry(Step.INCIDENT_CLOSE, Duration.ofMinutes(15))),
        0.5);
  }

  public HandlingModel withCaseSuccessRate(double rate) {
    return new HandlingModel(
        speed, rate, reopenRate, taskSuccessRate, handleShareOfSla, medians, spread);
  }

  public HandlingModel withTaskSuccessRate(double rate) {
    return new HandlingModel(
        speed, caseSuccessRate, reopenRate, rate, handleShareOfSla, medians, spread);
  }

  /**
   * The real (wall-clock) time a step takes: its simulated median times a log-normal factor drawn
   * from {@code gaussian} (a standard normal draw), divided by the speed.
   */
  Duration wall(Step step, double gaussian) {
    return wall(medians.get(step), gaussian);
  }

  /** The same for a simulated median given here (a case's share of its SLA). */
  Duration wall(Duration simulatedMedian, double gaussian) {
    double simulatedMillis = simulatedMedian.toMillis() * Math.exp(spread * gaussian);
    return Duration.ofMillis(Math.max(1, Math.round(simulatedMillis / speed)));
  }

  private static void rate(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be within 0..1, was " + value);
    }
  }
}
