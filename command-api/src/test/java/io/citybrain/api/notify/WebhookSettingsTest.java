package io.citybrain.api.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Webhook settings: defaults, the backoff's doubling and cap, exact messages for bad values. */
class WebhookSettingsTest {
  @Test
  @DisplayName("the backoff doubles from the base after each failed attempt, up to the longest")
  void backoff() {
    WebhookSettings s = WebhookSettings.DEFAULT;
    assertThat(s.maxAttempts()).isEqualTo(8);
    assertThat(s.delayAfter(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.delayAfter(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.delayAfter(7)).isEqualTo(Duration.ofSeconds(64));
    assertThat(s.delayAfter(9)).isEqualTo(Duration.ofMinutes(4).plusSeconds(16));
    assertThat(s.delayAfter(10)).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.delayAfter(1_000)).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.claim()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  @DisplayName("a bad setting names itself and its value")
  void messages() {
    WebhookSettings d = WebhookSettings.DEFAULT;
    assertThatThrownBy(() -> d.withMaxAttempts(0))
        .hasMessage("webhook attempts must be within 1..20, was 0");
    assertThatThrownBy(() -> d.withBackoff(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessage("webhook backoff must be a positive duration, was PT0S");
    assertThatThrownBy(() -> d.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage(
            "longest webhook backoff must not be below the webhook backoff (PT2S), was PT1S");
    assertThatThrownBy(() -> d.withTimeout(Duration.ofMillis(50)))
        .hasMessage("webhook timeout must be within 100 ms..60 s, was 50 ms");
    assertThatThrownBy(() -> d.withAllowHosts(Set.of("a b")))
        .hasMessage(
            "webhook allowed hosts must be host names or IP addresses separated by commas, was 'a b'");
  }

  @Test
  @DisplayName("allowed hosts match without case or IPv6 brackets; the description lists them")
  void allowHosts() {
    WebhookSettings s = WebhookSettings.DEFAULT.withAllowHosts(Set.of("Hooks.Internal", "[::1]"));
    assertThat(s.allows("hooks.internal")).isTrue();
    assertThat(s.allows("::1")).isTrue();
    assertThat(s.allows("[::1]")).isTrue();
    assertThat(s.allows("other")).isFalse();
    assertThat(s.describe().toString()).contains("::1, hooks.internal");
    assertThat(WebhookSettings.DEFAULT.describe().toString()).contains("(none)");
  }
}
