package io.citybrain.api.live;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.auth.RevocableTokens;
import io.citybrain.api.auth.TokenService;
import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.api.http.Unavailable;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live WebSocket's upgrade at the document's {@code live} path. A caller proves who it is by a
 * bearer header (programs) or a one-time ticket from {@code POST /api/v1/live/tickets} in the query
 * (browsers, which cannot set headers on an upgrade); a token in the URL is refused. The socket
 * closes when the token behind it expires or is revoked (at once when the change is made here, by a
 * periodic {@link #recheck} otherwise), and a user holds at most a configured number of sockets.
 */
public final class LiveHandshake implements Handler<ServerWebSocketHandshake> {
  private static final Logger LOG = LoggerFactory.getLogger(LiveHandshake.class);

  /** Close code for a socket whose token expired (application range 4000-4999). */
  public static final short TOKEN_EXPIRED = 4001;

  /**
   * Close code for a socket whose user was changed or disabled (its tokens revoked): the same as
   * for an expired token, since the client does the same, sign in again; the reason tells which.
   */
  public static final short TOKEN_REVOKED = TOKEN_EXPIRED;

  private static final String REVOKED_REASON =
      "token revoked: the user was changed or disabled; sign in again";

  /** Close code for a connection beyond the user's cap. */
  public static final short TOO_MANY = 4008;

  private final Vertx vertx;
  private final JWTAuth tokens;
  private final LiveHub hub;
  private final LiveTickets tickets = new LiveTickets();
  private final int connectionsPerUser;
  private final RevocableTokens.Versions versions;
  private final Map<ServerWebSocket, Held> held = new HashMap<>();
  private String path;

  /** Whose token, of which version, an open socket was opened with. */
  private record Held(String user, int version) {}

  public LiveHandshake(
      Vertx vertx,
      JWTAuth tokens,
      RevocableTokens.Versions versions,
      LiveHub hub,
      int connectionsPerUser) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.versions = versions;
    this.hub = hub;
    this.connectionsPerUser = connectionsPerUser;
  }

  /** Takes the path from the document's {@code live} operation and serves the tickets. */
  public void mount(Operations ops) {
    path = ops.path("live");
    // The server hands upgrades to this handler before routing; a plain GET of the path falls
    // through to the router's 404, as for any path without a route.
    ops.get("live").addHandler(RoutingContext::next);
    ops.get("createLiveTicket").addHandler(requires(Role.VIEWER)).addHandler(this::ticket);
  }

  /**
   * The user's tokens were revoked (a password, role or scope change, or a disable): its open
   * sockets close at once and its unspent tickets are void. Call on the hub's event loop.
   */
  public void revoke(String user) {
    tickets.revoke(user);
    int closed = hub.closeUser(user, TOKEN_REVOKED, REVOKED_REASON);
    if (closed > 0) {
      LOG.info("closed {} live socket(s) of {}: its tokens were revoked", closed, user);
    }
  }

  /**
   * The backstop for a change this instance did not see (made through another API instance, or
   * while a handshake was in flight): every open socket whose token version is no longer its user's
   * closes as revoked. A lookup that fails leaves the sockets open until the next check (the
   * database being down is no reason to drop every client). Call on the hub's event loop.
   */
  public void recheck() {
    Map<String, List<Map.Entry<ServerWebSocket, Held>>> byUser = new HashMap<>();
    for (Map.Entry<ServerWebSocket, Held> e : held.entrySet()) {
      byUser.computeIfAbsent(e.getValue().user(), u -> new ArrayList<>()).add(e);
    }
    byUser.forEach(
        (user, sockets) ->
            versions
                .live(user)
                .onSuccess(
                    live -> {
                      for (Map.Entry<ServerWebSocket, Held> e : sockets) {
                        ServerWebSocket ws = e.getKey();
                        if (!ws.isClosed()
                            && (live.isEmpty() || live.get() != e.getValue().version())) {
                          LOG.info("closed a live socket of {}: its token was revoked", user);
                          ws.close(TOKEN_REVOKED, REVOKED_REASON);
                        }
                      }
                    })
                .onFailure(
                    err ->
                        LOG.debug("live revocation check of {} failed: {}", user, err.toString())));
  }

  private void ticket(RoutingContext ctx) {
    LiveTickets.Issued issued =
        tickets.issue(
            Access.caller(ctx), expiresAt(ctx.user()), tokenVersion(ctx.user()), Instant.now());
    Replies.json(
        ctx,
        201,
        new JsonObject()
            .put("ticket", issued.ticket())
            .put("expires_at", issued.expiresAt().toString()));
  }

  @Override
  public void handle(ServerWebSocketHandshake handshake) {
    if (!path.equals(handshake.path())) {
      handshake.reject(404);
      return;
    }
    String ticket = queryParam(handshake.query(), "ticket");
    if (ticket != null) {
      LiveTickets.Pending pending = tickets.spend(ticket, Instant.now());
      if (pending == null) {
        handshake.reject(401);
        return;
      }
      accept(handshake, pending.caller(), pending.tokenExpiresAt(), pending.tokenVersion());
      return;
    }
    String token = bearer(handshake.headers().get("authorization"));
    if (token == null) {
      // Also when the token came in the query: URLs end up in logs and browser histories.
      handshake.reject(401);
      return;
    }
    tokens
        .authenticate(new TokenCredentials(token))
        .onComplete(
            ar -> {
              if (ar.failed() && ar.cause() instanceof Unavailable) {
                handshake.reject(503);
                return;
              }
              Caller caller = ar.succeeded() ? callerOf(ar.result()) : null;
              if (caller == null) {
                handshake.reject(401);
                return;
              }
              accept(handshake, caller, expiresAt(ar.result()), tokenVersion(ar.result()));
            });
  }

  private void accept(
      ServerWebSocketHandshake handshake, Caller caller, Instant tokenExpiresAt, int tokenVersion) {
    handshake
        .accept()
        .onSuccess(
            ws -> {
              if (hub.connections(caller.name()) >= connectionsPerUser) {
                ws.close(
                    TOO_MANY,
                    "at most " + connectionsPerUser + " live connections per user; close one");
                return;
              }
              long timer = closeAtExpiry(ws, tokenExpiresAt);
              held.put(ws, new Held(caller.name(), tokenVersion));
              hub.add(
                  ws,
                  caller,
                  () -> {
                    held.remove(ws);
                    vertx.cancelTimer(timer);
                  });
            });
  }

  /**
   * Closes the socket when its token expires (a token without expiry keeps it open); the timer's
   * id, to cancel when the socket closes first.
   */
  private long closeAtExpiry(ServerWebSocket ws, Instant tokenExpiresAt) {
    if (tokenExpiresAt == null) {
      return -1;
    }
    long delayMs = Math.max(1, tokenExpiresAt.toEpochMilli() - System.currentTimeMillis());
    return vertx.setTimer(
        delayMs,
        t -> {
          if (!ws.isClosed()) {
            ws.close(TOKEN_EXPIRED, "token expired; sign in again");
          }
        });
  }

  private static Caller callerOf(User user) {
    try {
      return Caller.of(user);
    } catch (ApiException e) {
      return null;
    }
  }

  /** The token's version claim ({@link RevocableTokens} refused a token without one). */
  private static int tokenVersion(User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
    return claims.getInteger(TokenService.VERSION_CLAIM);
  }

  /** The token's {@code exp} claim, or null. */
  static Instant expiresAt(User user) {
    if (user == null) {
      return null;
    }
    JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
    Long exp = claims.getLong("exp");
    return exp == null ? null : Instant.ofEpochSecond(exp);
  }

  /** The token of an {@code Authorization: Bearer} header, or null. */
  private static String bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  private static String queryParam(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      if (pair.startsWith(name + "=")) {
        return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
