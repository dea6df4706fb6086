package io.citybrain.stream.time;

import java.util.ArrayList;
import java.util.List;

/**
 * The lane clocks of one source subtask (one watermark strategy instance: each subtask deserializes
 * its own), for the flush when all of them are quiet. Used from the task thread only.
 */
final class LaneGroup {
  private final List<LaneClock> clocks = new ArrayList<>();

  void add(LaneClock clock) {
    clocks.add(clock);
  }

  boolean allQuiet(long now, long idleNanos) {
    for (LaneClock c : clocks) {
      if (!c.quietAt(now, idleNanos)) {
        return false;
      }
    }
    return true;
  }

  long maxEventTime() {
    long max = Long.MIN_VALUE;
    for (LaneClock c : clocks) {
      max = Math.max(max, c.maxEventTime());
    }
    return max;
  }
}
