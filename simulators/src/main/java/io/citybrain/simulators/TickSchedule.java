package io.citybrain.simulators;

import io.citybrain.seeds.StableHash;
import java.util.List;

/**
 * When each device reports next, in simulated microseconds since the start. Every device reports at
 * its own interval divided by {@code speed}, from a phase fixed by the seed; ties go to the lower
 * device index, so the order is deterministic.
 *
 * <p>A binary min-heap on primitive arrays: the publishing thread takes every message through here,
 * and a {@code PriorityQueue} of boxed entries was its largest cost in a profile.
 */
final class TickSchedule {
  private final long[] time;
  private final int[] device;
  private final long[] periodMicros;
  private final int size;

  TickSchedule(List<SimDevice> devices, double speed, long seed) {
    size = devices.size();
    time = new long[size];
    device = new int[size];
    periodMicros = new long[size];
    for (int i = 0; i < size; i++) {
      SimDevice d = devices.get(i);
      periodMicros[i] = Math.max(1, Math.round(d.device.intervalS() * 1_000_000.0 / speed));
      time[i] = (long) (StableHash.uniform(seed, "phase/" + d.device.id()) * periodMicros[i]);
      device[i] = i;
    }
    for (int i = size / 2 - 1; i >= 0; i--) {
      siftDown(i);
    }
  }

  /** Total reports per second of real time at this speed. */
  static double rate(List<SimDevice> devices, double speed) {
    double rate = 0;
    for (SimDevice d : devices) {
      rate += speed / d.device.intervalS();
    }
    return rate;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Time of the next tick, without taking it. */
  long peekMicros() {
    return time[0];
  }

  /**
   * Takes the next tick and schedules that device's following one; returns {time, device index}.
   */
  long[] next() {
    long at = time[0];
    int index = device[0];
    // The device's next tick replaces the root: one sift instead of a removal and an insertion.
    time[0] = at + periodMicros[index];
    siftDown(0);
    return new long[] {at, index};
  }

  private boolean before(int a, int b) {
    return time[a] < time[b] || (time[a] == time[b] && device[a] < device[b]);
  }

  private void siftDown(int i) {
    while (true) {
      int left = 2 * i + 1;
      if (left >= size) {
        return;
      }
      int smallest = left + 1 < size && before(left + 1, left) ? left + 1 : left;
      if (!before(smallest, i)) {
        return;
      }
      long t = time[i];
      time[i] = time[smallest];
      time[smallest] = t;
      int d = device[i];
      device[i] = device[smallest];
      device[smallest] = d;
      i = smallest;
    }
  }
}
