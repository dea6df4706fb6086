package io.citybrain.api.http;

import io.vertx.core.json.JsonObject;

/**
 * 429: the caller asked too often; it may retry after {@link #retryAfterSeconds()}, which goes out
 * as {@code Retry-After}.
 */
public final class Throttled extends ApiException {
  private final int retryAfterSeconds;

  public Throttled(String reason, int retryAfterSeconds) {
    super(
        429,
        new JsonObject()
            .put("error", "too_many_requests")
            .put("reason", reason)
            .put("retry_after_s", retryAfterSeconds));
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
