package io.citybrain.stream.liveness;

import java.util.Arrays;

/**
 * One device's liveness in event time, as {@link DeviceLiveness} keeps it: the online run it has
 * announced, and the runs of messages still ahead of the watermark, not announced yet.
 *
 * <p>A device is online from a message at {@code s} until {@code s + silenceMs}; runs are the
 * maximal stretches this covers, so each announcement is a function of the messages' event times
 * alone, whatever order they arrived in. A steady device has at most one pending run (two longs):
 * more appear only for a device that falls silent and comes back while the watermark stands still.
 * A Flink POJO (one state entry per device).
 */
public class DeviceTimeline {
  /** No such time. */
  public static final long NONE = Long.MIN_VALUE;

  private static final long[] EMPTY = new long[0];

  /**
   * The newest message of the last announced run; {@link #NONE} before the device's first
   * announcement.
   */
  public long lastSeenMs = NONE;

  /**
   * When the device was announced offline; {@link #NONE} while it is online (or before its first
   * announcement).
   */
  public long offlineAtMs = NONE;

  /** How long a silence takes the device offline: missed intervals times its interval. */
  public long silenceMs;

  /** The earliest event-time timer this device has registered; {@link #NONE} when none. */
  public long timerMs = NONE;

  /**
   * Runs not announced yet, as pairs {@code first, last} of their messages' event times, sorted,
   * each starting more than {@link #silenceMs} after the previous one ends.
   */
  public long[] pending = EMPTY;

  public DeviceTimeline() {}

  /** Announced online and not offline since. */
  public boolean online() {
    return lastSeenMs != NONE && offlineAtMs == NONE;
  }

  /**
   * The event time of the next announcement (the announced run's end, else the first pending run's
   * start), or {@link #NONE}.
   */
  public long nextChangeMs() {
    if (online()) {
      return lastSeenMs + silenceMs;
    }
    return pending.length == 0 ? NONE : pending[0];
  }

  /** A message at {@code atMs} that is not behind the watermark: it joins a run. */
  public void add(long atMs) {
    if (online() && atMs <= lastSeenMs + silenceMs) {
      lastSeenMs = Math.max(lastSeenMs, atMs);
    } else {
      insertPending(atMs);
    }
    absorbPending();
  }

  /**
   * A message behind the watermark (within the allowed lateness) for a device announced offline or
   * not yet announced: it is online again from now on, its run extended by the message.
   */
  public void backOnline(long atMs) {
    lastSeenMs = atMs;
    offlineAtMs = NONE;
    absorbPending();
  }

  /** The announced run ends: offline at {@code atMs}. */
  public void wentOffline(long atMs) {
    offlineAtMs = atMs;
  }

  /** The first pending run is announced: it becomes the online run. */
  public void firstPendingOnline() {
    lastSeenMs = pending[1];
    offlineAtMs = NONE;
    pending = Arrays.copyOfRange(pending, 2, pending.length);
    absorbPending();
  }

  private void insertPending(long atMs) {
    long[] runs = Arrays.copyOf(pending, pending.length + 2);
    int i = pending.length;
    // Keep the pairs sorted by their start; then merge neighbours that touch.
    while (i > 0 && runs[i - 2] > atMs) {
      runs[i] = runs[i - 2];
      runs[i + 1] = runs[i - 1];
      i -= 2;
    }
    runs[i] = atMs;
    runs[i + 1] = atMs;
    int n = 0;
    for (int j = 0; j < runs.length; j += 2) {
      if (n > 0 && runs[j] <= runs[n - 1] + silenceMs) {
        runs[n - 1] = Math.max(runs[n - 1], runs[j + 1]);
      } else {
        runs[n] = runs[j];
        runs[n + 1] = runs[j + 1];
        n += 2;
      }
    }
    pending = n == runs.length ? runs : Arrays.copyOf(runs, n);
  }

  /** Pending runs that now touch the announced one are part of it. */
  private void absorbPending() {
    int drop = 0;
    while (online() && drop < pending.length && pending[drop] <= lastSeenMs + silenceMs) {
      lastSeenMs = Math.max(lastSeenMs, pending[drop + 1]);
      drop += 2;
    }
    if (drop > 0) {
      pending = Arrays.copyOfRange(pending, drop, pending.length);
    }
  }
}
