package io.citybrain.api.http;

import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;

/**
 * The document's bearer scheme: the JWT handler ({@link BearerToken}; it holds the request while
 * the token is checked), whose next step is reading the body, so an anonymous request costs no more
 * than its headers: its body is never read, parsed or stored.
 */
public final class BearerThenBody extends BearerToken {
  private final JsonBodies bodies;

  public BearerThenBody(JWTAuth tokens, JsonBodies bodies) {
    // The router builder takes only a JWTAuthHandler for a bearer scheme; the implementation's
    // postAuthentication is the one step between a verified token and the validator.
    super(tokens);
    this.bodies = bodies;
  }

  @Override
  public void postAuthentication(RoutingContext ctx) {
    bodies.handle(ctx);
  }
}
