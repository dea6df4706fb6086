package io.citybrain.api.notify;

import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * How webhooks are sent: attempts per delivery and the exponential backoff between them, the
 * timeout of one attempt, how often due deliveries are looked for, and the hosts a subscription may
 * name although they are loopback, link-local or private (none unless configured).
 */
public record WebhookSettings(
    int maxAttempts,
    Duration backoff,
    Duration backoffMax,
    Duration timeout,
    Duration poll,
    Set<String> allowHosts)
    implements Described {
  public static final int DEFAULT_MAX_ATTEMPTS = 8;
  public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);

  /** Short: a receiver should answer at once and do its work after. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

  // The settings' names in messages; CommandApiMain restates them as its flags.
  public static final String MAX_ATTEMPTS = "webhook attempts";
  public static final String BACKOFF = "webhook backoff";
  public static final String BACKOFF_MAX = "longest webhook backoff";
  public static final String TIMEOUT = "webhook timeout";
  public static final String POLL = "webhook poll";
  public static final String ALLOW_HOSTS = "webhook allowed hosts";

  public static final WebhookSettings DEFAULT =
      new WebhookSettings(
          DEFAULT_MAX_ATTEMPTS,
          DEFAULT_BACKOFF,
          DEFAULT_BACKOFF_MAX,
          DEFAULT_TIMEOUT,
          DEFAULT_POLL,
          Set.of());

  public WebhookSettings {
    Check.within(maxAttempts, 1, 20, MAX_ATTEMPTS);
    Check.positive(backoff, BACKOFF);
    Check.positive(backoffMax, BACKOFF_MAX);
    Check.require(
        backoffMax.compareTo(backoff) >= 0,
        BACKOFF_MAX,
        "must not be below the " + BACKOFF + " (" + backoff + "), was " + backoffMax);
    Check.require(
        timeout != null
            && timeout.toMillis() >= 100
            && timeout.compareTo(Duration.ofMinutes(1)) <= 0,
        TIMEOUT,
        "must be within 100 ms..60 s, was "
            + (timeout == null ? "not set" : timeout.toMillis() + " ms"));
    Check.positive(poll, POLL);
    Check.require(allowHosts != null, ALLOW_HOSTS, "must be a list (empty: none)");
    TreeSet<String> hosts = new TreeSet<>();
    for (String host : allowHosts) {
      Check.require(
          host != null && host.matches("[A-Za-z0-9._:\\[\\]-]{1,253}"),
          ALLOW_HOSTS,
          "must be host names or IP addresses separated by commas, was '" + host + "'");
      hosts.add(bare(host));
    }
    allowHosts = Set.copyOf(hosts);
  }

  /**
   * The wait after failed attempt {@code attempt} (1 for the first): base, 2 x base, ... capped.
   */
  public Duration delayAfter(int attempt) {
    int doublings = Math.max(0, Math.min(attempt - 1, 30));
    long delay = backoff.toMillis() << doublings;
    return Duration.ofMillis(Math.min(delay < 0 ? Long.MAX_VALUE : delay, backoffMax.toMillis()));
  }

  /**
   * How long a claimed delivery is left to the process that claimed it: past one attempt's timeout
   * with room to record it; a process that died meanwhile leaves it to the next claim.
   */
  public Duration claim() {
    return timeout.multipliedBy(2).plusSeconds(10);
  }

  /** Whether the configuration lets subscriptions name this (not public) host. */
  public boolean allows(String host) {
    return allowHosts.contains(bare(host));
  }

  /** Lower case, without an IPv6 literal's brackets. */
  static String bare(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  public WebhookSettings withMaxAttempts(int value) {
    return new WebhookSettings(value, backoff, backoffMax, timeout, poll, allowHosts);
  }

  public WebhookSettings withBackoff(Duration base, Duration max) {
    return new WebhookSettings(maxAttempts, base, max, timeout, poll, allowHosts);
  }

  public WebhookSettings withTimeout(Duration value) {
    return new WebhookSettings(maxAttempts, backoff, backoffMax, value, poll, allowHosts);
  }

  public WebhookSettings withPoll(Duration value) {
    return new WebhookSettings(maxAttempts, backoff, backoffMax, timeout, value, allowHosts);
  }

  public WebhookSettings withAllowHosts(Set<String> value) {
    return new WebhookSettings(maxAttempts, backoff, backoffMax, timeout, poll, value);
  }

  @Override
  public Description describe() {
    return new Description("webhooks")
        .add(MAX_ATTEMPTS, maxAttempts)
        .add(BACKOFF, backoff + " .. " + backoffMax)
        .add(TIMEOUT, timeout)
        .add(POLL, poll)
        .add(
            ALLOW_HOSTS,
            allowHosts.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(allowHosts)));
  }
}
