package io.citybrain.stream.incident;

import java.util.List;
import org.apache.flink.api.common.functions.FilterFunction;

/**
 * Which signals some incident pattern can use: the alert rules, camera event types and metrics
 * (above their thresholds) its steps name, and every alert when a storm pattern counts alerts of
 * any rule.
 */
public final class UsedSignals implements FilterFunction<Signal> {
  private static final long serialVersionUID = 1L;

  private final List<StepMatcher> matchers;

  UsedSignals(List<StepMatcher> matchers) {
    this.matchers = List.copyOf(matchers);
  }

  /** True when some step of some pattern could take this signal. */
  public boolean uses(Signal s) {
    for (StepMatcher m : matchers) {
      if (m.accepts(s)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean filter(Signal s) {
    return uses(s);
  }

  @Override
  public String toString() {
    return "signals " + matchers;
  }
}
