package io.citybrain.api.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The signature against HMAC-SHA256 values computed outside Java. */
class WebhookSignatureTest {
  @Test
  @DisplayName("signs timestamp.body with the secret as openssl dgst -sha256 -hmac does")
  void matchesOpenssl() {
    // printf '%s' '1700000000.{"id":1,"type":"alert.raised"}' \
    //   | openssl dgst -sha256 -hmac 'k3y-of-the-subscription'
    assertThat(
            WebhookSignature.sign(
                "k3y-of-the-subscription",
                1_700_000_000L,
                "{\"id\":1,\"type\":\"alert.raised\"}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("sha256=e8ee8315b522e50cf700b434cc02e398385efe311c7871cc28aa8265a971639e");
  }

  @Test
  @DisplayName("the body is signed as its UTF-8 bytes")
  void utf8Body() {
    // printf '%s' '1764768000.{"summary":"水位上涨"}' \
    //   | openssl dgst -sha256 -hmac 'Zm9vYmFyYmF6cXV4cXV1eA_-'
    assertThat(
            WebhookSignature.sign(
                "Zm9vYmFyYmF6cXV4cXV1eA_-",
                1_764_768_000L,
                "{\"summary\":\"水位上涨\"}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("sha256=802a231d3ff6819b4e4bcf4e52baaf5fa90262f3541d4baa7dfd0b67fa708924");
  }

  @Test
  @DisplayName("another secret, timestamp or body gives another signature")
  void everyPartCounts() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String base = WebhookSignature.sign("a", 10, body);
    assertThat(WebhookSignature.sign("b", 10, body)).isNotEqualTo(base);
    assertThat(WebhookSignature.sign("a", 11, body)).isNotEqualTo(base);
    assertThat(WebhookSignature.sign("a", 10, "{ }".getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo(base);
  }

  @Test
  @DisplayName("a secret is 32 random bytes, URL-safe base64, new each time")
  void secrets() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String secret = WebhookSignature.newSecret();
      assertThat(secret).matches("[A-Za-z0-9_-]{43}");
      assertThat(Base64.getUrlDecoder().decode(secret)).hasSize(32);
      seen.add(secret);
    }
    assertThat(seen).hasSize(100);
  }
}
