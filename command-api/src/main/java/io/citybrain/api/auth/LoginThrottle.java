package io.citybrain.api.auth;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Login rate limits: a token bucket per client address and one per username, each attempt takes a
 * token from both, a correct password gives them back (so only failures count). The buckets of the
 * least recently seen keys are forgotten beyond a bound, so a spray of names cannot fill the heap.
 */
public final class LoginThrottle {
  /** A bucket's shape: {@code burst} attempts at once, one more every {@code refill}. */
  public record Limit(int burst, Duration refill) {}

  /** Per username: five wrong passwords, then one a minute / 5 (guessing stays slow). */
  public static final Limit PER_USER = new Limit(5, Duration.ofSeconds(12));

  /** Per address: room for a shared NAT's users, still far below a guessing rate. */
  public static final Limit PER_ADDRESS = new Limit(30, Duration.ofSeconds(2));

  private static final int MAX_KEYS = 10_000;

  private final Buckets byAddress;
  private final Buckets byUser;

  public LoginThrottle(Limit perAddress, Limit perUser, LongSupplier nanoClock) {
    this.byAddress = new Buckets(perAddress, nanoClock);
    this.byUser = new Buckets(perUser, nanoClock);
  }

  public LoginThrottle() {
    this(PER_ADDRESS, PER_USER, System::nanoTime);
  }

  /** Takes an attempt from both buckets; when either is empty, nothing, and how long to wait. */
  public synchronized Optional<Duration> admit(String address, String username) {
    String user = username.toLowerCase(Locale.ROOT);
    Optional<Duration> wait = byUser.take(user);
    if (wait.isPresent()) {
      return wait;
    }
    wait = byAddress.take(address);
    if (wait.isPresent()) {
      byUser.give(user);
    }
    return wait;
  }

  /**
   * An attempt that does not count against the address or the user: a correct password, or one
   * never checked (the queue was full).
   */
  public synchronized void giveBack(String address, String username) {
    byUser.give(username.toLowerCase(Locale.ROOT));
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
