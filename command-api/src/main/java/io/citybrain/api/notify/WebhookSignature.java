package io.citybrain.api.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A delivery's signature: {@code sha256=} and the hex HMAC-SHA256, keyed with the subscription's
 * secret (its UTF-8 bytes, as shown once), of {@code timestamp + "." + body}. The timestamp is in
 * the signed text, so a receiver that refuses old timestamps refuses replays.
 */
public final class WebhookSignature {
  public static final String PREFIX = "sha256=";
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /**
   * The {@code X-CityBrain-Signature} value of a body sent at {@code timestamp} (epoch seconds).
   */
  public static String sign(String secret, long timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
      return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java has HmacSHA256", e);
    }
  }

  /** A new subscription's secret: 32 random bytes, URL-safe base64 without padding (43 chars). */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
