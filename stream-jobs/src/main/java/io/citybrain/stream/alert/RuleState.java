package io.citybrain.stream.alert;

/**
 * Where one rule stands in one district: windows in a row past the threshold, and the open alert if
 * any.
 */
public class RuleState {
  public int consecutive;

  /** End of the last window that counted towards {@link #consecutive}. */
  public long lastWindowEndMs;

  /** The open alert's id, or null. */
  public String openAlertId;

  public long raisedAtMs;
  public double raisedValue;

  public RuleState() {}
}
