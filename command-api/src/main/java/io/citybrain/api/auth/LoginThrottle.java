package io.citybrain.api.auth;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Login rate limits: token buckets per (username, address), per address and per username; an
 * attempt takes a token from each, a correct password gives them back (so only failures count). The
 * strict bucket is the pair's: wrong passwords from one address cannot lock the user out of
 * another. The username's own bucket is loose, against guessing spread over many addresses. The
 * buckets of the least recently seen keys are forgotten beyond a bound, so a spray of names cannot
 * fill the heap.
 */
public final class LoginThrottle {
  /** A bucket's shape: {@code burst} attempts at once, one more every {@code refill}. */
  public record Limit(int burst, Duration refill) {}

  /** Per username and address: five wrong passwords, then one every 12 s (guessing stays slow). */
  public static final Limit PER_USER = new Limit(5, Duration.ofSeconds(12));

  /**
   * Per username over all addresses: loose, so that one address (itself held to {@link
   * #PER_ADDRESS}) cannot empty it and lock the user out elsewhere; a spread guess is still capped.
   */
  public static final Limit PER_USER_ANYWHERE = new Limit(100, Duration.ofSeconds(1));

  /** Per address: room for a shared NAT's users, still far below a guessing rate. */
  public static final Limit PER_ADDRESS = new Limit(30, Duration.ofSeconds(2));

  private static final int MAX_KEYS = 10_000;

  private final Buckets byAddress;
  private final Buckets byUserAtAddress;
  private final Buckets byUser;

  public LoginThrottle(
      Limit perAddress, Limit perUserAtAddress, Limit perUser, LongSupplier nanoClock) {
    this.byAddress = new Buckets(perAddress, nanoClock);
    this.byUserAtAddress = new Buckets(perUserAtAddress, nanoClock);
    this.byUser = new Buckets(perUser, nanoClock);
  }

  public LoginThrottle() {
    this(PER_ADDRESS, PER_USER, PER_USER_ANYWHERE, System::nanoTime);
  }

  /** Takes an attempt from each bucket; when one is empty, nothing, and how long to wait. */
  public synchronized Optional<Duration> admit(String address, String username) {
    String user = username.toLowerCase(Locale.ROOT);
    String pair = user + '\n' + address;
    Optional<Duration> wait = byUserAtAddress.take(pair);
    if (wait.isPresent()) {
      return wait;
    }
    wait = byUser.take(user);
    if (wait.isPresent()) {
      byUserAtAddress.give(pair);
      return wait;
    }
    wait = byAddress.take(address);
    if (wait.isPresent()) {
      byUserAtAddress.give(pair);
      byUser.give(user);
    }
    return wait;
  }

  /**
   * An attempt that does not count against the address or the user: a correct password, or one
   * never checked (the queue was full).
   */
  public synchronized void giveBack(String address, String username) {
    String user = username.toLowerCase(Locale.ROOT);
    byUserAtAddress.give(user + '\n' + address);
    byUser.give(user);
    byAddress.give(address);
  }

  /** Token buckets by key, least recently used forgotten first. */
  private static final class Buckets {
    private final Limit limit;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets =
        new LinkedHashMap<>(256, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_KEYS;
          }
        };

    Buckets(Limit limit, LongSupplier clock) {
      this.limit = limit;
      this.clock = clock;
    }

    /** Tokens left, and when they were last refilled. */
    private static final class Bucket {
      double tokens;
      long refilledAt;

      Bucket(double tokens, long refilledAt) {
        this.tokens = tokens;
        this.refilledAt = refilledAt;
      }
    }

    /** The key's bucket, refilled up to now. */
    private Bucket bucket(String key) {
      long now = clock.getAsLong();
      Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(limit.burst(), now));
      double earned = (now - b.refilledAt) / (double) limit.refill().toNanos();
      b.tokens = Math.min(limit.burst(), b.tokens + earned);
      b.refilledAt = now;
      return b;
    }

    Optional<Duration> take(String key) {
      Bucket b = bucket(key);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return Optional.empty();
      }
      return Optional.of(Duration.ofNanos((long) ((1 - b.tokens) * limit.refill().toNanos())));
    }

    void give(String key) {
      Bucket b = bucket(key);
      b.tokens = Math.min(limit.burst(), b.tokens + 1);
    }
  }
}
