package io.citybrain.api.auth;

import io.citybrain.api.http.Unavailable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JWT provider that also refuses a well-signed token whose user is gone, disabled, or changed
 * since it was issued (its version claim is older than the user's): every route, the WebSocket
 * included, authenticates through it. When the version cannot be looked up it fails with {@link
 * Unavailable} (503), not as a bad token.
 */
public final class RevocableTokens implements JWTAuth {
  /** The token version a user's live tokens carry; empty when the user is gone or disabled. */
  @FunctionalInterface
  public interface Versions {
    Future<Optional<Integer>> live(String username);
  }

  private static final Logger LOG = LoggerFactory.getLogger(RevocableTokens.class);

  /** What a client is told to wait when the token version cannot be looked up. */
  static final int RETRY_AFTER_SECONDS = 5;

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
                  .recover(
                      e -> {
                        // The token may well be good: the caller is told to retry, not to sign
                        // in again, and no one is recorded as having failed to authenticate.
                        LOG.warn("cannot check the token version of {}: {}", subject, e.toString());
                        return Future.failedFuture(
                            new Unavailable(
                                "cannot check the token right now (the user database is"
                                    + " unreachable); retry in "
                                    + RETRY_AFTER_SECONDS
                                    + " s",
                                RETRY_AFTER_SECONDS));
                      })
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
