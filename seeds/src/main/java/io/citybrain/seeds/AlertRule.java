package io.citybrain.seeds;

import java.io.Serializable;
import java.util.List;

/**
 * A threshold rule on one metric's window statistic, with hysteresis (clear threshold) and debounce
 * (consecutive).
 */
public record AlertRule(
    String id,
    String metric,
    Statistic statistic,
    Direction direction,
    Double threshold,
    Double clearThreshold,
    String unit,
    Integer consecutive,
    String severity,
    List<String> districts)
    implements Serializable {

  /** Which window statistic a rule looks at. */
  public enum Statistic {
    MEAN,
    MIN,
    MAX,
    P95
  }

  /** Whether a rule fires on high or on low values. */
  public enum Direction {
    ABOVE,
    BELOW
  }

  /** True when the value is at or past the raise threshold. */
  public boolean raises(double value) {
    return direction == Direction.ABOVE ? value >= threshold : value <= threshold;
  }

  /** True when the value is back at or past the clear threshold. */
  public boolean clears(double value) {
    return direction == Direction.ABOVE ? value <= clearThreshold : value >= clearThreshold;
  }
}
