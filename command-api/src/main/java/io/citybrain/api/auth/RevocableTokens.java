package io.citybrain.api.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.Optional;

/**
 * A JWT provider that also refuses a well-signed token whose user is gone, disabled, or changed
 * since it was issued (its version claim is older than the user's): every route, the WebSocket
 * included, authenticates through it.
 */
public final class RevocableTokens implements JWTAuth {
  /** The token version a user's live tokens carry; empty when the user is gone or disabled. */
  @FunctionalInterface
  public interface Versions {
    Future<Optional<Integer>> live(String username);
  }

  private final JWTAuth jwt;
  private final Versions versions;

  RevocableTokens(JWTAuth jwt, Versions versions) {
    this.jwt = jwt;
    this.versions = versions;
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    return jwt.authenticate(credentials)
        .compose(
            user -> {
              JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
              String subject = claims.getString("sub");
              Object version = claims.getValue(TokenService.VERSION_CLAIM);
              if (subject == null || !(version instanceof Number carried)) {
                return Future.failedFuture("token lacks the sub or " + TokenService.VERSION_CLAIM);
              }
              return versions
                  .live(subject)
                  .compose(
                      live ->
                          live.isPresent() && live.get() == carried.intValue()
                              ? Future.succeededFuture(user)
                              : Future.failedFuture(
                                  "token revoked: user '"
                                      + subject
                                      + "' was changed or disabled since it was issued"));
            });
  }

  @Override
  public String generateToken(JsonObject claims, JWTOptions options) {
    return jwt.generateToken(claims, options);
  }

  @Override
  public String generateToken(JsonObject claims) {
    return jwt.generateToken(claims);
  }
}
