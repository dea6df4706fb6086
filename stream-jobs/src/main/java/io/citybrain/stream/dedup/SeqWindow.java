package io.citybrain.stream.dedup;

import java.util.Arrays;

/**
 * The seqs one device has sent lately: the highest, and a bitmap of the {@link #SIZE} below it (the
 * anti-replay window of IPsec). A Flink POJO; about 50 bytes per device, whatever the TTL.
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

  public SeqWindow() {}

  /** What an offered seq is. */
  public enum Outcome {
    NEW,
    REPEAT,
    TOO_OLD
  }

  /** Records {@code seq} if new. */
  Outcome offer(long seq) {
    if (seq > highest) {
      shift(seq - highest);
      highest = seq;
      return Outcome.NEW;
    }
    if (seq == highest) {
      return Outcome.REPEAT;
    }
    long back = highest - 1 - seq;
    if (back >= SIZE) {
      return Outcome.TOO_OLD;
    }
    int word = (int) (back >>> 6);
    long mask = 1L << (back & 63);
    if ((bits[word] & mask) != 0) {
      return Outcome.REPEAT;
    }
    bits[word] |= mask;
    return Outcome.NEW;
  }

  /** Moves the window up by {@code by}: the old highest becomes bit {@code by - 1}. */
  private void shift(long by) {
    boolean hadHighest = highest > 0;
    if (by >= SIZE) {
      Arrays.fill(bits, 0);
      if (hadHighest && by - 1 < SIZE) {
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
    if (hadHighest) {
      set(by - 1);
    }
  }

  private void set(long back) {
    bits[(int) (back >>> 6)] |= 1L << (back & 63);
  }
}
