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
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and verifies HS256 JWTs (vertx-auth-jwt) for this API's audience, each with an id and its
 * user's token version, so a change to the user revokes it. There is no default key
 * (CVE-2023-26462): the secret is configured, read from an owner-only key file, or generated for
 * this installation.
 */
public final class TokenService {
  private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);
  public static final String ISSUER = "citybrain";

  /** The aud claim: a token for another service signed with the same key is not ours. */
  public static final String AUDIENCE = "citybrain-api";

  /** Clocks of the API's processes may differ by this much around iat, nbf and exp. */
  public static final int LEEWAY_SECONDS = 30;

  /** The claim holding the user's token version. */
  public static final String VERSION_CLAIM = "ver";

  private final JWTAuth auth;
  private final Duration ttl;

  public TokenService(Vertx vertx, String secret, Duration ttl, RevocableTokens.Versions versions) {
    this.ttl = ttl;
    this.auth =
        new RevocableTokens(
            JWTAuth.create(
                vertx,
                new JWTAuthOptions()
                    .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
                    .setJWTOptions(
                        new JWTOptions()
                            .setIssuer(ISSUER)
                            .setAudience(List.of(AUDIENCE))
                            .setLeeway(LEEWAY_SECONDS))),
            versions);
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
            .put("districts", new JsonArray(user.districts().stream().sorted().toList()))
            .put(VERSION_CLAIM, user.tokenVersion())
            .put("jti", UUID.randomUUID().toString());
    return auth.generateToken(
        claims,
        new JWTOptions()
            .setAlgorithm("HS256")
            .setIssuer(ISSUER)
            .setAudience(List.of(AUDIENCE))
            .setExpiresInSeconds((int) ttl.toSeconds()));
  }

  /**
   * The secret to sign with: the configured one, else the key file's (created owner-only with a new
   * random secret when missing; refused when group or others may read it), else a random one for
   * this process, whose tokens end with it.
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
        refuseShared(keyFile);
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
      // Owner-only from its creation: there is no moment at which the secret is readable by others.
      try {
        Files.createFile(
            keyFile,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        LOG.warn("cannot restrict {} to its owner on this file system", keyFile);
        Files.createFile(keyFile);
      }
      Files.writeString(keyFile, secret + "\n", StandardCharsets.UTF_8);
      LOG.info("generated a JWT signing key for this installation in {}", keyFile);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read or create the JWT key file " + keyFile + ": " + e.getMessage(), e);
    }
  }

  /** Refuses a key file that group or others may read (or write): its secret signs any token. */
  static void refuseShared(Path keyFile) throws IOException {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(keyFile);
    } catch (UnsupportedOperationException e) {
      return;
    }
    if (mode.contains(PosixFilePermission.GROUP_READ)
        || mode.contains(PosixFilePermission.OTHERS_READ)
        || mode.contains(PosixFilePermission.GROUP_WRITE)
        || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IllegalStateException(
          "JWT key file "
              + keyFile
              + " is readable or writable by group or others ("
              + PosixFilePermissions.toString(mode)
              + "); run: chmod 600 "
              + keyFile);
    }
  }

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
