package io.citybrain.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.api.http.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens: audience, id, version and leeway with real vertx-auth-jwt; the key file's mode. */
class TokenServiceTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef";
  private static Vertx vertx;
  private static final AtomicReference<Optional<Integer>> LIVE =
      new AtomicReference<>(Optional.of(3));
  private static TokenService tokens;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    tokens =
        new TokenService(
            vertx, SECRET, Duration.ofHours(1), user -> Future.succeededFuture(LIVE.get()));
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static boolean accepted(String token) {
    try {
      tokens
          .auth()
          .authenticate(new TokenCredentials(token))
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static String issued() {
    return tokens.issue(new UserStore.StoredUser("ann", Role.OPERATOR, Set.of("DP"), 3));
  }

  @Test
  @DisplayName(
      "a token carries aud, jti and ver, and is accepted only at the user's current version")
  void versionedTokens() {
    LIVE.set(Optional.of(3));
    String token = issued();
    JsonObject claims =
        new JsonObject(
            new String(
                java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8));
    assertThat(claims.getValue("aud").toString()).contains(TokenService.AUDIENCE);
    assertThat(claims.getString("jti")).isNotBlank();
    assertThat(issued()).isNotEqualTo(token);
    assertThat(claims.getInteger("ver")).isEqualTo(3);
    assertThat(accepted(token)).isTrue();
    LIVE.set(Optional.of(4));
    assertThat(accepted(token)).isFalse();
    LIVE.set(Optional.empty());
    assertThat(accepted(token)).isFalse();
    LIVE.set(Optional.of(3));
  }

  private static String signed(JsonObject claims) {
    JWTAuth plain =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    return plain.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
  }

  private static JsonObject claims(long iatAgo, long expAgo) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject()
        .put("sub", "ann")
        .put("role", "operator")
        .put("ver", 3)
        .put("iss", TokenService.ISSUER)
        .put("aud", List.of(TokenService.AUDIENCE))
        .put("iat", now - iatAgo)
        .put("exp", now - expAgo);
  }

  @Test
  @DisplayName(
      "another audience is refused; an expiry within the leeway is accepted, beyond it not")
  void audienceAndLeeway() {
    LIVE.set(Optional.of(3));
    assertThat(accepted(signed(claims(100, -3600)))).isTrue();
    assertThat(accepted(signed(claims(100, -3600).put("aud", List.of("another-service")))))
        .isFalse();
    JsonObject noAudience = claims(100, -3600);
    noAudience.remove("aud");
    assertThat(accepted(signed(noAudience))).isFalse();
    assertThat(accepted(signed(claims(100, 10)))).isTrue();
    assertThat(accepted(signed(claims(100, TokenService.LEEWAY_SECONDS + 30)))).isFalse();
  }

  @Test
  @DisplayName("a new key file is owner-only; one group or others can read stops startup")
  void keyFileMode(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("keys/jwt.key");
    String secret = TokenService.resolveSecret(null, key);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(TokenService.resolveSecret(null, key)).isEqualTo(secret);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> TokenService.resolveSecret(null, key))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "JWT key file "
                + key
                + " is readable or writable by group or others (rw-r-----); run: chmod 600 "
                + key);
  }
}
