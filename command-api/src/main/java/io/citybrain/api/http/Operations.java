package io.citybrain.api.http;

import io.vertx.core.Vertx;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.util.List;

/**
 * The OpenAPI document's operations, to attach handlers to by operationId, and the router they
 * make: paths and methods come from the document, each request is validated against it before the
 * handlers run (a refusal is our 400, see {@link BadRequests}), and the bearer scheme is the JWT
 * handler wherever the document asks for it.
 */
public final class Operations {
  private final RouterBuilder builder;
  private final OpenAPIContract contract;

  public Operations(Vertx vertx, OpenAPIContract contract, JWTAuth tokens) {
    this.contract = contract;
    JsonBodies bodies = new JsonBodies();
    // Security headers on every answer, the wall's included; a body is read only where the
    // document takes one: for the open operations (login) at once, for the others after the token
    // is verified. Either way before validation, which reads it from the context.
    this.builder =
        RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
            .rootHandler(new SecurityHeaders())
            .rootHandler(ctx -> openBody(ctx, bodies));
    builder.security("bearer").httpHandler(new BearerThenBody(tokens, bodies));
    for (OpenAPIRoute route : builder.getRoutes()) {
      // First of each route's failure handlers, so the ones a feature adds see our 400.
      route.addFailureHandler(
          BadRequests.translating(route.getOperation(), contract.getRawContract()));
    }
  }

  /** Reads the body of an operation that needs no token; others wait for theirs. */
  private void openBody(RoutingContext ctx, JsonBodies bodies) {
    Operation operation = contract.findOperation(ctx.request().path(), ctx.request().method());
    if (operation != null
        && operation.getSecurityRequirements().isEmpty()
        && operation.getRequestBody() != null) {
      bodies.handle(ctx);
    } else {
      ctx.next();
    }
  }

  /** The route of an operation of the document; a typo fails at start, not at the first call. */
  public OpenAPIRoute get(String operationId) {
    OpenAPIRoute route = builder.getRoute(operationId);
    if (route == null) {
      throw new IllegalArgumentException("the OpenAPI document has no operation " + operationId);
    }
    return route;
  }

  /** The path the document gives an operation, e.g. for the WebSocket upgrade. */
  public String path(String operationId) {
    return get(operationId).getOperation().getOpenAPIPath();
  }

  public OpenAPIContract contract() {
    return contract;
  }

  /** The router; fails when an operation of the document has no handler (it would answer 503). */
  public Router router() {
    List<String> missing =
        builder.getRoutes().stream()
            .filter(r -> r.getHandlers().isEmpty())
            .map(r -> r.getOperation().getOperationId())
            .sorted()
            .toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException("no handler for operations " + missing);
    }
    return builder.createRouter();
  }
}
