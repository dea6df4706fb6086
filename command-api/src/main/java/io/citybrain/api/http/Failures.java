package io.citybrain.api.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the router: unknown paths are 404 (under /api/v1 only for a valid token, so the route
 * table is not probed anonymously), and every failure is answered as JSON with its status.
 */
public final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  /** The largest request body taken; larger ones are 413. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private Failures() {}

  /** Mounts the 404 fallback and the failure handler last on {@code router}. */
  public static void mount(Router router, JWTAuth tokens) {
    router.route("/api/v1/*").handler(new BearerToken(tokens));
    router.route().last().handler(Failures::noRoute);
    router.route().failureHandler(Failures::failure);
  }

  private static void noRoute(RoutingContext ctx) {
    ctx.fail(
        new ApiException(
            404,
            new JsonObject()
                .put("error", "not_found")
                .put("reason", "no route " + ctx.request().method() + " " + ctx.request().path())));
  }

  /** Ours carry their status and body; web handlers' (401 from JWT, 413) their status. */
  private static void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (ctx.response().ended()) {
      return;
    }
    if (failure instanceof ApiException e) {
      if (e instanceof Unavailable u) {
        ctx.response().putHeader("Retry-After", Integer.toString(u.retryAfterSeconds()));
      } else if (e instanceof Throttled t) {
        ctx.response().putHeader("Retry-After", Integer.toString(t.retryAfterSeconds()));
      }
      Replies.json(ctx, e.status(), e.body());
      return;
    }
    int status = failure instanceof HttpException h ? h.getStatusCode() : ctx.statusCode();
    if (status == 413) {
      Replies.json(
          ctx,
          413,
          new JsonObject()
              .put("error", "too_large")
              .put("reason", "the body exceeds " + MAX_BODY_BYTES + " bytes"));
    } else if (status == 401) {
      Replies.json(
          ctx,
          401,
          new JsonObject()
              .put("error", "unauthorized")
              .put("reason", "a valid bearer token is required (POST /api/v1/auth/login)"));
    } else if (status >= 400 && status < 500) {
      Replies.json(
          ctx,
          status,
          new JsonObject()
              .put("error", "bad_request")
              .put(
                  "reason",
                  failure == null ? "request refused" : String.valueOf(failure.getMessage())));
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      Replies.json(
          ctx, 500, new JsonObject().put("error", "internal").put("reason", "see the server log"));
    }
  }
}
