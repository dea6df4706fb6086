package io.citybrain.stream.metric;

import java.util.Arrays;

/**
 * The running statistics of one window: count, min, max, sum, and the values themselves where a p95
 * is wanted.
 */
public class MetricAccumulator {
  public long count;
  public double min = Double.POSITIVE_INFINITY;
  public double max = Double.NEGATIVE_INFINITY;

  /**
   * The sum as exact partials ({@link ExactSum}): the same whatever the order the values came in.
   */
  public double[] partials = new double[4];

  public int partialCount;

  /** The values so far (first {@code count} entries), or null when no p95 is wanted. */
  public double[] values;

  public MetricAccumulator() {}

  void add(double value, boolean keepValues) {
    count++;
    min = Math.min(min, value);
    max = Math.max(max, value);
    int[] n = {partialCount};
    partials = ExactSum.add(partials, n, value);
    partialCount = n[0];
    if (keepValues) {
      if (values == null) {
        values = new double[16];
      } else if (values.length < count) {
        values = Arrays.copyOf(values, values.length * 2);
      }
      values[(int) count - 1] = value;
    }
  }

  /** The correctly rounded sum of the values so far. */
  double sum() {
    return ExactSum.value(partials, partialCount);
  }

  void addPartials(MetricAccumulator other) {
    for (int i = 0; i < other.partialCount; i++) {
      int[] n = {partialCount};
      partials = ExactSum.add(partials, n, other.partials[i]);
      partialCount = n[0];
    }
  }

  /**
   * Nearest-rank 95th percentile: the smallest value with at least 95% of the values at or below
   * it.
   */
  Double p95() {
    if (values == null || count == 0) {
      return null;
    }
    double[] sorted = Arrays.copyOf(values, (int) count);
    Arrays.sort(sorted);
    return sorted[(int) Math.ceil(0.95 * count) - 1];
  }
}
