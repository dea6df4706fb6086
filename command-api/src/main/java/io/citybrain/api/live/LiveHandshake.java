package io.citybrain.api.live;

import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The live WebSocket's upgrade at the document's {@code live} path: the token comes as a bearer
 * header or, for browsers, as {@code access_token} in the query; a verified caller's socket goes to
 * the hub.
 */
public final class LiveHandshake implements Handler<ServerWebSocketHandshake> {
  private final JWTAuth tokens;
  private final LiveHub hub;
  private String path;

  public LiveHandshake(JWTAuth tokens, LiveHub hub) {
    this.tokens = tokens;
    this.hub = hub;
  }

  /** Takes the path from the document's {@code live} operation. */
  public void mount(Operations ops) {
    path = ops.path("live");
    // The server hands upgrades to this handler before routing; a plain GET of the path falls
    // through to the router's 404, as for any path without a route.
    ops.get("live").addHandler(RoutingContext::next);
  }

  @Override
  public void handle(ServerWebSocketHandshake handshake) {
    if (!path.equals(handshake.path())) {
      handshake.reject(404);
      return;
    }
    String token = bearer(handshake.headers().get("authorization"));
    if (token == null && handshake.query() != null) {
      for (String pair : handshake.query().split("&")) {
        if (pair.startsWith("access_token=")) {
          token = URLDecoder.decode(pair.substring(13), StandardCharsets.UTF_8);
        }
      }
    }
    if (token == null) {
      handshake.reject(401);
      return;
    }
    tokens
        .authenticate(new TokenCredentials(token))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                handshake.reject(401);
                return;
              }
              Caller caller;
              try {
                caller = Caller.of(ar.result());
              } catch (ApiException e) {
                handshake.reject(401);
                return;
              }
              handshake.accept().onSuccess(ws -> hub.add(ws, caller));
            });
  }

  private static String bearer(String header) {
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim()
        : null;
  }
}
