package io.citybrain.api.http;

import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON replies, and routes a failed future to the router's failure handler. */
public final class Replies {
  private Replies() {}

  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(body instanceof JsonObject json ? json.encode() : Json.encode(body));
  }

  /** 200 with the future's JSON, or the failure handler. */
  public static void reply(RoutingContext ctx, Future<?> future) {
    reply(ctx, 200, future);
  }

  public static void reply(RoutingContext ctx, int status, Future<?> future) {
    future.onComplete(
        ar -> {
          if (ar.succeeded()) {
            json(ctx, status, ar.result());
          } else {
            ctx.fail(ar.cause());
          }
        });
  }
}
