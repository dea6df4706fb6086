package io.citybrain.simulators;

import java.util.List;
import java.util.PriorityQueue;

/**
 * When each device reports next, in simulated microseconds since the start. Every device reports at its own interval
 * divided by {@code speed}, from a phase fixed by the seed; ties go to the lower device index, so the order is
 * deterministic.
 */
final class TickSchedule {
  private final PriorityQueue<long[]> queue;
  private final long[] periodMicros;

  TickSchedule(List<SimDevice> devices, double speed, long seed) {
    this.periodMicros = new long[devices.size()];
    this.queue = new PriorityQueue<>(Math.max(1, devices.size()),
        (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    for (int i = 0; i < devices.size(); i++) {
      SimDevice d = devices.get(i);
      periodMicros[i] = Math.max(1, Math.round(d.device.intervalS() * 1_000_000.0 / speed));
      long phase = (long) (Seeding.uniform(seed, "phase/" + d.device.id()) * periodMicros[i]);
      queue.add(new long[] {phase, i});
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
    return queue.isEmpty();
  }

  /** Time of the next tick, without taking it. */
  long peekMicros() {
    return queue.peek()[0];
  }

  /** Takes the next tick and schedules that device's following one; returns {time, device index}. */
  long[] next() {
    long[] tick = queue.poll();
    long[] result = {tick[0], tick[1]};
    tick[0] += periodMicros[(int) tick[1]];
    queue.add(tick);
    return result;
  }
}
