package io.citybrain.stream.alert;

/**
 * An alert raised or cleared: a row of {@code alert} and a message on {@code
 * city/v1/{district}/alert}.
 */
public class AlertEvent {
  /**
   * Deterministic: {rule}:{district}:{window end of the raise}, so a replay raises the same alert.
   */
  public String alertId;

  public String ruleId;
  public String district;
  public String metric;
  public String severity;
  public boolean raised;

  /** The statistic that raised it, or (when cleared) that cleared it. */
  public double value;

  public double raisedValue;
  public double threshold;
  public long windowEndMs;
  public long raisedAtMs;

  /** 0 while raised. */
  public long clearedAtMs;

  public AlertEvent() {}

  @Override
  public String toString() {
    return (raised ? "raised " : "cleared ") + alertId + " value=" + value;
  }
}
