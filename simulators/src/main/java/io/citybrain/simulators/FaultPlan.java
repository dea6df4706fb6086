package io.citybrain.simulators;

/**
 * Faults to inject, each a rate per message (skew: per device) in [0, 1], for robustness tests of
 * the pipeline.
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
    check("--fault-skew", skew);
    check("--fault-future", future);
    check("--fault-late", late);
    check("--fault-duplicate", duplicate);
    check("--fault-out-of-range", outOfRange);
    check("--fault-malformed", malformed);
  }

  private static void check(String flag, double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException(flag + " must be a rate within 0..1, was " + rate);
    }
  }
}
