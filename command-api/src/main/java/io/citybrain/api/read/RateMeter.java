package io.citybrain.api.read;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A per-second rate from samples of an ever-growing counter (the pipeline's received total), over a
 * sliding window. The counter lives in the database and only grows, so the rate is the difference
 * between the newest sample and the oldest one still in the window; no per-message work anywhere.
 * Not thread-safe: the API's event loop owns it.
 */
public final class RateMeter {
  private final long windowNanos;
  private final long minSpanNanos;
  private final Deque<long[]> samples = new ArrayDeque<>();

  /**
   * @param windowNanos how far back the oldest sample may be
   * @param minSpanNanos the shortest span that gives a rate (shorter spans say too little)
   */
  public RateMeter(long windowNanos, long minSpanNanos) {
    this.windowNanos = windowNanos;
    this.minSpanNanos = minSpanNanos;
  }

  /**
   * Records the counter's value at a time (System.nanoTime()) and returns the rate per second, or
   * null if unknown.
   */
  public Double sample(long atNanos, long value) {
    long[] newest = samples.peekLast();
    if (newest != null && value < newest[1]) {
      // The counter went back (the accounting was reset): earlier samples describe another history.
      samples.clear();
    }
    samples.addLast(new long[] {atNanos, value});
    // Keep one sample at or beyond the window's start so the rate always covers the whole window
    // once it can.
    while (samples.size() > 2 && atNanos - second()[0] >= windowNanos) {
      samples.removeFirst();
    }
    long[] oldest = samples.peekFirst();
    long span = atNanos - oldest[0];
    if (span < minSpanNanos) {
      return null;
    }
    return (value - oldest[1]) * 1e9 / span;
  }

  private long[] second() {
    var it = samples.iterator();
    it.next();
    return it.next();
  }
}
