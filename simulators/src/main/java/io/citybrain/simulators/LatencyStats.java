package io.citybrain.simulators;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Publish latency (call to broker acknowledgement) in microseconds: recorded from any thread, read
 * per interval.
 */
final class LatencyStats {
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(5);
  private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
  private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
  private Histogram interval;

  void record(long micros) {
    recorder.recordValue(Math.min(Math.max(micros, 0), HIGHEST_MICROS));
  }

  /**
   * Takes what was recorded since the last call into the total; returns that interval's histogram.
   */
  synchronized Histogram sample() {
    interval = recorder.getIntervalHistogram(interval);
    total.add(interval);
    return interval;
  }

  synchronized Histogram total() {
    return total.copy();
  }
}
