package io.citybrain.access;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Random secrets and the keys derived from them (HMAC-SHA256 with a purpose label). */
final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  static byte[] random(int bytes) {
    byte[] out = new byte[bytes];
    RANDOM.nextBytes(out);
    return out;
  }

  /** HMAC-SHA256 of {@code label} under {@code secret}: one key per purpose and name. */
  static byte[] derive(byte[] secret, String label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  /** A password (43 URL-safe characters, 256 bits) derived for one name. */
  static String password(byte[] secret, String name) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(derive(secret, "mqtt:" + name));
  }
}
