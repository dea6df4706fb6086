package io.citybrain.stream.dedup;

import java.util.Arrays;

/**
 * The seqs one device has sent lately: the highest, and a bitmap of the {@link #SIZE} below it (the
 * anti-replay window of IPsec), within one numbering (boot id). A Flink POJO; about 70 bytes per
 * device, whatever the TTL.
 *
 * <p>Judging and recording are separate so that nothing is recorded for an item that turns out
 * late, a repeat, too old or rejected: such an item must not move the window real items are judged
 * by.
 */
public class SeqWindow {
  /**
   * Seqs remembered below the highest: at one message every 10 s, about 40 minutes of a device's
   * history.
   */
  public static final int SIZE = 256;

  public long highest;

  /** Bit i set: seq {@code highest - 1 - i} was seen. */
  public long[] bits = new long[SIZE / 64];

  /** The numbering {@link #highest} belongs to; 0 when the device sends no boot id. */
  public long bootId;

  /**
   * The latest event time recorded in this numbering: a lower seq later than it is a device that
   * started counting again without saying so.
   */
  public long latestEventTimeMs = Long.MIN_VALUE;

  /**
   * The highest of the numbering before the last restart (0 for none): a seq that continues it is
   * taken back, so that one stray low seq cannot make the device's real ones jumps for a TTL.
   */
  public long previousHighest;

  public SeqWindow() {}

  /** What an offered seq is. */
  public enum Outcome {
    /** Not seen in this numbering. */
    NEW,
    /**
     * The first of a numbering: a device not seen before, a new boot id, a silent restart, or the
     * numbering before a restart continuing.
     */
    RESTART,
    REPEAT,
    /** Below the bitmap: cannot be told from a repeat. */
    TOO_OLD,
    /** Further above the highest than the maximum jump. */
    JUMP,
    /** Zero, or 2^63 and above (negative as a long). */
    OUT_OF_RANGE;

    /** Whether the item passes on (and is recorded when on time). */
    public boolean isNew() {
      return this == NEW || this == RESTART;
    }
  }

  /** What {@code seq} is in this window; changes nothing. */
  Outcome judge(long seq, long boot, long eventTimeMs, long maxJump) {
    if (seq <= 0) {
      return Outcome.OUT_OF_RANGE;
    }
    if (highest == 0 || (boot != 0 && boot != bootId)) {
      return Outcome.RESTART;
    }
    if (seq > highest) {
      // Both non-negative: the difference cannot overflow.
      if (seq - highest <= maxJump) {
        return Outcome.NEW;
      }
      boolean resumes = previousHighest > 0 && seq > previousHighest;
      return resumes && seq - previousHighest <= maxJump ? Outcome.RESTART : Outcome.JUMP;
    }
    // Only a device that sends no boot id restarts silently: under a boot id a lower seq is
    // judged within that numbering, whatever its time says.
    if (boot == 0 && bootId == 0 && eventTimeMs > latestEventTimeMs) {
      // A repeat has its original's event time, and an item overtaken by later seqs an earlier
      // one: a lower seq later than everything is a numbering that started again.
      return Outcome.RESTART;
    }
    if (seq == highest) {
      return Outcome.REPEAT;
    }
    long back = highest - 1 - seq;
    if (back >= SIZE) {
      return Outcome.TOO_OLD;
    }
    return (bits[(int) (back >>> 6)] & (1L << (back & 63))) != 0 ? Outcome.REPEAT : Outcome.NEW;
  }

  /** Records an item {@link #judge} found new ({@code outcome}); anything else is ignored. */
  void record(long seq, long boot, long eventTimeMs, Outcome outcome) {
    if (outcome == Outcome.RESTART) {
      previousHighest = highest;
      Arrays.fill(bits, 0);
      highest = seq;
      bootId = boot;
      latestEventTimeMs = eventTimeMs;
      return;
    }
    if (outcome != Outcome.NEW) {
      return;
    }
    latestEventTimeMs = Math.max(latestEventTimeMs, eventTimeMs);
    if (seq > highest) {
      shift(seq - highest);
      highest = seq;
    } else {
      set(highest - 1 - seq);
    }
  }

  /** Moves the window up by {@code by}: the old highest becomes bit {@code by - 1}. */
  private void shift(long by) {
    if (by >= SIZE) {
      Arrays.fill(bits, 0);
      if (by - 1 < SIZE) {
        set(by - 1);
      }
      return;
    }
    int words = (int) (by >>> 6);
    int rest = (int) (by & 63);
    for (int i = bits.length - 1; i >= 0; i--) {
      long from = i - words >= 0 ? bits[i - words] : 0;
      long carry = rest > 0 && i - words - 1 >= 0 ? bits[i - words - 1] >>> (64 - rest) : 0;
      bits[i] = rest > 0 ? (from << rest) | carry : from;
    }
    set(by - 1);
  }

  private void set(long back) {
    bits[(int) (back >>> 6)] |= 1L << (back & 63);
  }
}
