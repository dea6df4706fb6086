package io.citybrain.stream.metric;

/**
 * One metric's statistics over one window in one district: a row of {@code district_metric}. A
 * Flink POJO.
 */
public class WindowStats {
  public String district;
  public String metric;
  public int resolutionS;
  public long windowStartMs;
  public long count;
  public double min;
  public double max;
  public double sum;
  public double mean;

  /** The 95th percentile (nearest rank), for the metrics that want one; else null. */
  public Double p95;

  public WindowStats() {}

  public long windowEndMs() {
    return windowStartMs + resolutionS * 1000L;
  }

  /** The value of a statistic by its seed name (mean, min, max, p95); NaN when not computed. */
  public double statistic(String name) {
    return switch (name) {
      case "mean" -> mean;
      case "min" -> min;
      case "max" -> max;
      case "p95" -> p95 == null ? Double.NaN : p95;
      default -> throw new IllegalArgumentException("unknown statistic " + name);
    };
  }

  @Override
  public String toString() {
    return district
        + "/"
        + metric
        + "/"
        + resolutionS
        + "s@"
        + windowStartMs
        + " n="
        + count
        + " mean="
        + mean;
  }
}
