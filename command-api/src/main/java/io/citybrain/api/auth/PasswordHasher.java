package io.citybrain.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt ($2y$) through Bouncy Castle: a standard, salted, tunable KDF whose hashes other tools can
 * verify.
 */
public final class PasswordHasher {
  /**
   * bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so they are
   * refused.
   */
  public static final int MAX_PASSWORD_BYTES = 72;

  private final int cost;
  private final SecureRandom random = new SecureRandom();

  public PasswordHasher(int cost) {
    this.cost = cost;
  }

  public String hash(String password) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", checked(password).toCharArray(), salt, cost);
  }

  /** Constant-time comparison inside Bouncy Castle; false for any malformed hash. */
  public boolean matches(String password, String hash) {
    if (password == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      return false;
    }
    try {
      return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String checked(String password) {
    if (password == null || password.length() < 12) {
      throw new IllegalArgumentException("password must be at least 12 characters");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      throw new IllegalArgumentException(
          "password must be at most " + MAX_PASSWORD_BYTES + " bytes (bcrypt's limit)");
    }
    return password;
  }

  /** A random password of 20 characters from an alphabet without look-alikes (~115 bits). */
  public String generate() {
    String alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    StringBuilder out = new StringBuilder(20);
    for (int i = 0; i < 20; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }
}
