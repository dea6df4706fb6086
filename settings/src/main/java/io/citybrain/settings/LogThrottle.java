package io.citybrain.settings;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Decides which of a flood of like events get a log line: at most one per reason every interval,
 * and that line tells how many went unlogged since the one before, so a client sending junk fills
 * no disk and the operator still sees how much there was. Thread-safe.
 *
 * <p>Reasons must come from a fixed set of the caller's own words, never from outside text: each
 * one keeps an entry for good.
 */
public final class LogThrottle {
  /** The interval every caller uses: one line per reason every ten seconds. */
  public static final Duration EVERY_TEN_SECONDS = Duration.ofSeconds(10);

  private final long everyNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Long> lastLogged = new HashMap<>();
  private final Map<String, Long> unlogged = new HashMap<>();

  public LogThrottle(Duration every) {
    this(every, System::nanoTime);
  }

  /** With the clock given, in nanoseconds like {@link System#nanoTime()} (tests step it). */
  public LogThrottle(Duration every, LongSupplier nanoClock) {
    if (every == null || every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException(
          "a log throttle's interval must be positive, was " + every);
    }
    this.everyNanos = every.toNanos();
    this.nanoClock = nanoClock;
  }

  /**
   * Counts one event of this reason: empty when it gets no line (one was logged recently), else how
   * many of this reason went unlogged since the last line.
   */
  public synchronized OptionalLong admit(String reason) {
    long now = nanoClock.getAsLong();
    Long last = lastLogged.get(reason);
    if (last != null && now - last < everyNanos) {
      unlogged.merge(reason, 1L, Long::sum);
      return OptionalLong.empty();
    }
    lastLogged.put(reason, now);
    Long skipped = unlogged.put(reason, 0L);
    return OptionalLong.of(skipped == null ? 0 : skipped);
  }

  /** The tail of a log line for {@code skipped} unlogged events: empty for none. */
  public static String unloggedNote(long skipped) {
    return skipped == 0 ? "" : "; " + skipped + " more since the last line";
  }
}
