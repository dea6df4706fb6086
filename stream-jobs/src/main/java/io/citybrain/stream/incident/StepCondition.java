package io.citybrain.stream.incident;

import java.util.List;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;

/**
 * The CEP condition of one step: any of its alternatives accepts the signal and, where the step
 * says so, the signal relates to the first signal of the partial match (within a distance, from
 * another device).
 */
final class StepCondition extends IterativeCondition<Signal> {
  private static final long serialVersionUID = 1L;

  private final List<StepMatcher> alternatives;
  private final String firstStep;

  StepCondition(List<StepMatcher> alternatives, String firstStep) {
    this.alternatives = List.copyOf(alternatives);
    this.firstStep = firstStep;
  }

  @Override
  public boolean filter(Signal s, Context<Signal> ctx) throws Exception {
    Signal first = null;
    boolean firstLookedUp = false;
    for (StepMatcher m : alternatives) {
      if (!m.accepts(s)) {
        continue;
      }
      if (!m.relatesToFirst()) {
        return true;
      }
      // Only looked up for signals that already pass the cheap test: reading the partial match
      // costs a buffer walk.
      if (!firstLookedUp) {
        first = firstOf(ctx);
        firstLookedUp = true;
      }
      // No first signal yet: this signal is the first of the match, so it relates to itself.
      if (first == null || m.relatesTo(s, first)) {
        return true;
      }
    }
    return false;
  }

  private Signal firstOf(Context<Signal> ctx) throws Exception {
    for (Signal taken : ctx.getEventsForPattern(firstStep)) {
      return taken;
    }
    return null;
  }

  @Override
  public String toString() {
    return "any of " + alternatives;
  }
}
