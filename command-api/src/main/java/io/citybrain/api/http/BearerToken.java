package io.citybrain.api.http;

import io.vertx.core.Future;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.impl.JWTAuthHandlerImpl;

/**
 * Vert.x's bearer JWT handler, except that a token which could not be checked (the revocation
 * lookup failed: {@link Unavailable}) is a 503 to retry, not a 401: the caller's token may be fine.
 */
public class BearerToken extends JWTAuthHandlerImpl {
  public BearerToken(JWTAuth tokens) {
    super(tokens, null);
  }

  @Override
  public Future<User> authenticate(RoutingContext ctx) {
    // The parent wraps every provider failure in a 401; ours is taken back out.
    return super.authenticate(ctx)
        .recover(
            e ->
                Future.failedFuture(
                    e.getCause() instanceof Unavailable unavailable ? unavailable : e));
  }
}
