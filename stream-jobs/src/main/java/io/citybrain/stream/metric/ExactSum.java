package io.citybrain.stream.metric;

import java.util.Arrays;

/**
 * Shewchuk's exact floating-point summation (the algorithm of Python's {@code math.fsum}): the
 * running sum is kept as non-overlapping partials, and the result is the correctly rounded exact
 * sum. Why: a window's readings arrive in a different order on every run, and plain {@code +=}
 * would give sums (and means) that differ in the last bits; this gives the same value whatever the
 * order, so replays yield identical snapshots.
 */
final class ExactSum {
  private ExactSum() {}

  /**
   * Adds {@code x} to the partials (the first {@code n} entries); returns the partials, possibly
   * grown.
   */
  static double[] add(double[] partials, int[] n, double x) {
    int i = 0;
    for (int j = 0; j < n[0]; j++) {
      double y = partials[j];
      if (Math.abs(x) < Math.abs(y)) {
        double t = x;
        x = y;
        y = t;
      }
      double hi = x + y;
      double lo = y - (hi - x);
      if (lo != 0.0) {
        partials[i++] = lo;
      }
      x = hi;
    }
    if (i == partials.length) {
      partials = Arrays.copyOf(partials, partials.length * 2);
    }
    partials[i] = x;
    n[0] = i + 1;
    return partials;
  }

  /** The correctly rounded value of the partials' exact sum. */
  static double value(double[] partials, int count) {
    int n = count;
    if (n == 0) {
      return 0.0;
    }
    double hi = partials[--n];
    double lo = 0.0;
    while (n > 0) {
      double x = hi;
      double y = partials[--n];
      hi = x + y;
      double yr = hi - x;
      lo = y - yr;
      if (lo != 0.0) {
        break;
      }
    }
    // Round half to even across the remaining partials, as fsum does.
    if (n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))) {
      double y = lo * 2.0;
      double x = hi + y;
      double yr = x - hi;
      if (y == yr) {
        hi = x;
      }
    }
    return hi;
  }
}
