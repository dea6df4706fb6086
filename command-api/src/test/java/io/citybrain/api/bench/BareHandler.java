package io.citybrain.api.bench;

import io.vertx.core.Vertx;

/**
 * The benchmark's baseline: a bare Vert.x HTTP server answering a fixed JSON body, one event loop
 * like the API.
 */
public final class BareHandler {
  private BareHandler() {}

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8090;
    String body = "{\"status\":\"ok\"}";
    Vertx.vertx()
        .createHttpServer()
        .requestHandler(
            request -> request.response().putHeader("content-type", "application/json").end(body))
        .listen(port)
        .await();
    System.out.println("bare handler on http://127.0.0.1:" + port);
  }
}
