package io.citybrain.mqtt;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What a publisher sent in the last {@code age} (at most {@code maxMessages} messages and {@code
 * maxBytes} bytes, the oldest going first), so that it can be sent again after a reconnect.
 *
 * <p>Why a publisher keeps this: Mosquitto 2.0 acknowledges a QoS 1 publish before it writes it to
 * disk and writes its whole state only as a periodic snapshot ({@code autosave_interval}), so a
 * {@code kill -9} loses readings it already acknowledged (up to ~3 s of them at {@code
 * autosave_interval 1}, more when it crashes again before its subscribers are back:
 * config/mosquitto/README.md, "Broker kill"). Sending the window again after the broker is back
 * closes that gap; the stream job's dedup by (device, seq) counts what had arrived as duplicates.
 *
 * <p>The age counts from the last time a message was sent, a replay included: in a crash loop the
 * broker acknowledges a replayed copy and can lose it again at the next crash, so a message kept
 * only for the age after its first publish was gone from the window when that happened
 * (BrokerKillIT, 20 kills in 30 s: 4,138 acknowledged readings lost, each acknowledged by a replay
 * under 2 s before a kill; 0 after).
 */
public final class ReplayWindow {
  /** Bytes one kept message costs beyond its payload and topic: the entry, its array headers. */
  static final int ENTRY_OVERHEAD_BYTES = 64;

  /** The replay window when nothing says otherwise: covers the measured loss windows (≤ 4.4 s). */
  public static final Duration DEFAULT_AGE = Duration.ofSeconds(15);

  public static final int DEFAULT_MAX_MESSAGES = 100_000;
  public static final long DEFAULT_MAX_BYTES = 32L * 1024 * 1024;

  /**
   * One kept publish: when it was first kept, and when it was last sent (it leaves the window the
   * age after that); {@code expirySeconds} is -1 without Message Expiry.
   */
  public record Entry(
      String topic,
      byte[] payload,
      int qos,
      long expirySeconds,
      long keptAtNanos,
      long sentAtNanos) {
    long cost() {
      return payload.length + 2L * topic.length() + ENTRY_OVERHEAD_BYTES;
    }

    Entry sentAgainAt(long nanos) {
      return new Entry(topic, payload, qos, expirySeconds, keptAtNanos, nanos);
    }
  }

  private final long ageNanos;
  private final int maxMessages;
  private final long maxBytes;
  private final LongSupplier clock;
  private final Deque<Entry> entries = new ArrayDeque<>();
  private long bytes;
  private long evictedEarly;

  public ReplayWindow(Duration age, int maxMessages, long maxBytes) {
    this(age, maxMessages, maxBytes, System::nanoTime);
  }

  ReplayWindow(Duration age, int maxMessages, long maxBytes, LongSupplier clock) {
    if (age == null || age.isNegative() || age.isZero()) {
      throw new IllegalArgumentException("replay window must be positive, was " + age);
    }
    if (maxMessages < 1) {
      throw new IllegalArgumentException(
          "replay window must keep at least 1 message, was " + maxMessages);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException(
          "replay window must keep at least 1 byte, was " + maxBytes);
    }
    this.ageNanos = age.toNanos();
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  /** The default window: {@link #DEFAULT_AGE}, 100,000 messages, 32 MiB. */
  public static ReplayWindow ofAge(Duration age) {
    return new ReplayWindow(age, DEFAULT_MAX_MESSAGES, DEFAULT_MAX_BYTES);
  }

  /** Keeps one publish, dropping what is older than the age or beyond the count or bytes. */
  public synchronized void add(String topic, byte[] payload, int qos, long expirySeconds) {
    long now = clock.getAsLong();
    Entry entry = new Entry(topic, payload, qos, expirySeconds, now, now);
    entries.addLast(entry);
    bytes += entry.cost();
    expire(now);
    while (entries.size() > maxMessages || (bytes > maxBytes && entries.size() > 1)) {
      // Past a bound before its age: a replay after a crash now can miss this one. Counted, so
      // a window too small for the rate shows.
      bytes -= entries.pollFirst().cost();
      evictedEarly++;
    }
  }

  /** What was kept no later than {@code untilNanos} and is still within the age, oldest first. */
  synchronized List<Entry> upTo(long untilNanos) {
    expire(clock.getAsLong());
    List<Entry> kept = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      if (e.keptAtNanos() - untilNanos > 0) {
        break;
      }
      kept.add(e);
    }
    return kept;
  }

  /**
   * {@link #upTo}, each of them now counted as sent again: a replay's copies stay another age, in
   * their places (the window stays in the order the messages were first kept).
   */
  public synchronized List<Entry> renewUpTo(long untilNanos) {
    long now = clock.getAsLong();
    expire(now);
    List<Entry> renewed = new ArrayList<>(entries.size());
    Deque<Entry> all = new ArrayDeque<>(entries.size());
    for (Entry e : entries) {
      if (e.keptAtNanos() - untilNanos <= 0) {
        Entry again = e.sentAgainAt(now);
        renewed.add(again);
        all.addLast(again);
      } else {
        all.addLast(e);
      }
    }
    entries.clear();
    entries.addAll(all);
    return renewed;
  }

  private void expire(long now) {
    // From the oldest kept: one sent again later holds the few kept after it a little longer
    // (those sent since the reconnect), never one less than the age.
    Entry oldest;
    while ((oldest = entries.peekFirst()) != null && now - oldest.sentAtNanos() > ageNanos) {
      entries.pollFirst();
      bytes -= oldest.cost();
    }
  }

  public synchronized int size() {
    expire(clock.getAsLong());
    return entries.size();
  }

  /** The accounted bytes of what is kept (payloads, topics, {@link #ENTRY_OVERHEAD_BYTES} each). */
  public synchronized long bytes() {
    expire(clock.getAsLong());
    return bytes;
  }

  /** Messages dropped by the count or byte bound before their age ran out. */
  public synchronized long evictedEarly() {
    return evictedEarly;
  }

  public Duration age() {
    return Duration.ofNanos(ageNanos);
  }
}
