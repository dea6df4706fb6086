package io.citybrain.ingest.validate;

/** The valid range of one metric kind; values outside it are rejected. */
public record MetricRange(double min, double max) {
  public boolean contains(double value) {
    return value >= min && value <= max;
  }
}
