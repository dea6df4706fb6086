package io.citybrain.ingest.validate;

import java.io.Serializable;

/** The valid range of one metric kind; values outside it are rejected. */
public record MetricRange(double min, double max) implements Serializable {
  public boolean contains(double value) {
    return value >= min && value <= max;
  }
}
