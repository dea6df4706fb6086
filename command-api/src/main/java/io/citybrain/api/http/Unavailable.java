package io.citybrain.api.http;

import io.vertx.core.json.JsonObject;

/**
 * 503: something the answer depends on cannot be reached now (the database behind the token check);
 * the client may retry after {@link #retryAfterSeconds()}, which goes out as {@code Retry-After}.
 */
public final class Unavailable extends ApiException {
  private final int retryAfterSeconds;

  public Unavailable(String reason, int retryAfterSeconds) {
    super(503, new JsonObject().put("error", "unavailable").put("reason", reason));
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
