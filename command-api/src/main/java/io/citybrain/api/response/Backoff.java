package io.citybrain.api.response;

import java.time.Duration;

/** Exponential backoff between attempts: base, 2 x base, 4 x base, ... capped. */
public record Backoff(Duration base, Duration max) {

  /** The wait before attempt {@code next} (2 for the first retry). */
  public long delayMs(int next) {
    int doublings = Math.max(0, Math.min(next - 2, 30));
    long delay = base.toMillis() << doublings;
    return Math.min(delay < 0 ? Long.MAX_VALUE : delay, max.toMillis());
  }
}
