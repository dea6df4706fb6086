package io.citybrain.api.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and verifies HS256 JWTs (vertx-auth-jwt). There is no default key (CVE-2023-26462): the
 * secret is configured, read from a key file, or generated for this installation.
 */
public final class TokenService {
  private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);
  public static final String ISSUER = "citybrain";
  private final JWTAuth auth;
  private final Duration ttl;

  public TokenService(Vertx vertx, String secret, Duration ttl) {
    this.ttl = ttl;
    this.auth =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
                .setJWTOptions(new JWTOptions().setIssuer(ISSUER)));
  }

  public JWTAuth auth() {
    return auth;
  }

  public Duration ttl() {
    return ttl;
  }

  public String issue(UserStore.StoredUser user) {
    JsonObject claims =
        new JsonObject()
            .put("sub", user.username())
            .put("role", user.role().id())
            .put("roles", new JsonArray(user.role().grantedIds()))
            .put("districts", new JsonArray(user.districts().stream().sorted().toList()));
    return auth.generateToken(
        claims,
        new JWTOptions()
            .setAlgorithm("HS256")
            .setIssuer(ISSUER)
            .setExpiresInSeconds((int) ttl.toSeconds()));
  }

  /**
   * The secret to sign with: the configured one, else the key file's (created with a new random
   * secret, readable by its owner only, when missing), else a random one for this process, whose
   * tokens end with it.
   */
  public static String resolveSecret(String configured, Path keyFile) {
    if (configured != null) {
      return configured;
    }
    if (keyFile == null) {
      LOG.warn(
          "no JWT secret configured: generated one for this process; tokens end when it stops");
      return randomSecret();
    }
    try {
      if (Files.exists(keyFile)) {
        String secret = Files.readString(keyFile, StandardCharsets.UTF_8).trim();
        if (secret.length() < 43) {
          throw new IllegalArgumentException(
              "JWT key file " + keyFile + " holds fewer than 32 bytes of secret");
        }
        return secret;
      }
      String secret = randomSecret();
      Path parent = keyFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(keyFile, secret + "\n", StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        LOG.warn("cannot restrict {} to its owner on this file system", keyFile);
      }
      LOG.info("generated a JWT signing key for this installation in {}", keyFile);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read or create the JWT key file " + keyFile + ": " + e.getMessage(), e);
    }
  }

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
