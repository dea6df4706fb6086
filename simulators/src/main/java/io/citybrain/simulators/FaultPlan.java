package io.citybrain.simulators;

import io.citybrain.settings.Check;
import java.util.ArrayList;
import java.util.List;

/**
 * Faults to inject, each a rate per message (skew: per device) in [0, 1], for robustness tests of
 * the pipeline. Validated on creation; a bad rate names its setting ({@code fault skew must be a
 * rate within 0..1, was 1.5}).
 *
 * @param skew share of devices whose clock is off by up to ±5 min
 * @param future share of messages stamped {@code futureByMs} ahead of now
 * @param late share of messages held back {@code lateByMs} before publishing (event time and seq
 *     unchanged)
 * @param duplicate share of messages published twice (same device and seq)
 * @param outOfRange share of readings with a value outside the metric's valid range
 * @param malformed share of messages whose payload is replaced by bytes that are not a valid
 *     message
 */
public record FaultPlan(
    double skew,
    double future,
    double late,
    double duplicate,
    double outOfRange,
    double malformed,
    long futureByMs,
    long lateByMs) {
  public static final FaultPlan NONE = new FaultPlan(0, 0, 0, 0, 0, 0, 2 * 3_600_000L, 120_000L);

  public FaultPlan {
    Check.rate(skew, "fault skew");
    Check.rate(future, "fault future");
    Check.rate(late, "fault late");
    Check.rate(duplicate, "fault duplicate");
    Check.rate(outOfRange, "fault out of range");
    Check.rate(malformed, "fault malformed");
    Check.notNegative(futureByMs, "fault future by");
    Check.notNegative(lateByMs, "fault late by");
  }

  /** The faults that are on, e.g. {@code skew 0.1, late 0.05 by 120000 ms}, or {@code none}. */
  @Override
  public String toString() {
    List<String> on = new ArrayList<>();
    if (skew > 0) {
      on.add("skew " + skew);
    }
    if (future > 0) {
      on.add("future " + future + " by " + futureByMs + " ms");
    }
    if (late > 0) {
      on.add("late " + late + " by " + lateByMs + " ms");
    }
    if (duplicate > 0) {
      on.add("duplicate " + duplicate);
    }
    if (outOfRange > 0) {
      on.add("out of range " + outOfRange);
    }
    if (malformed > 0) {
      on.add("malformed " + malformed);
    }
    return on.isEmpty() ? "none" : String.join(", ", on);
  }
}
