package io.citybrain.seeds;

import java.io.Serializable;

/** A kind of sensor reading with its unit and the range outside which a value is rejected. */
public record MetricKind(
    String id, String name, String unit, Double min, Double max, String category, Boolean p95)
    implements Serializable {

  public boolean inRange(double value) {
    return value >= min && value <= max;
  }

  public boolean wantsP95() {
    return Boolean.TRUE.equals(p95);
  }
}
