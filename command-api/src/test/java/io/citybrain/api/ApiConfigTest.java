package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Bad configuration stops startup with an exact message; defaults are the named constants. */
class ApiConfigTest {
  private static ApiConfig valid() {
    return new ApiConfig()
        .jdbcUrl("jdbc:postgresql://127.0.0.1:5432/citybrain")
        .mqttUrl("tcp://127.0.0.1:1883");
  }

  @Test
  @DisplayName("a minimal configuration validates with the documented defaults")
  void defaults() {
    ApiConfig config = valid().validate();
    assertThat(config.port()).isEqualTo(ApiConfig.DEFAULT_PORT).isEqualTo(8080);
    assertThat(config.jwtSecret()).isNull();
    assertThat(config.maxAttempts()).isEqualTo(ApiConfig.DEFAULT_MAX_ATTEMPTS);
  }

  @Test
  @DisplayName("each bad setting is refused with a message naming it")
  void exactMessages() {
    assertThatThrownBy(() -> new ApiConfig().mqttUrl("tcp://h:1").validate())
        .hasMessage(
            "api jdbcUrl must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was not set");
    assertThatThrownBy(() -> valid().mqttUrl("localhost").validate())
        .hasMessage("api mqttUrl must look like tcp://host:port, was 'localhost'");
    assertThatThrownBy(() -> valid().port(70_000).validate())
        .hasMessage("api port must be within 0..65535 (0 picks a free port), was 70000");
    assertThatThrownBy(() -> valid().jwtSecret("short").validate())
        .hasMessage(
            "api jwtSecret must be at least 32 bytes (HS256 needs a 256-bit key); leave it unset to generate"
                + " one per installation");
    assertThatThrownBy(() -> valid().maxAttempts(0).validate())
        .hasMessage("api maxAttempts must be within 1..10, was 0");
    assertThatThrownBy(
            () ->
                valid()
                    .retryBackoff(Duration.ofSeconds(5))
                    .retryBackoffMax(Duration.ofSeconds(1))
                    .validate())
        .hasMessage("api retryBackoffMax (PT1S) must not be below retryBackoff (PT5S)");
    assertThatThrownBy(() -> valid().ackTimeout(Duration.ZERO).validate())
        .hasMessage("api ackTimeout must be a positive duration, was PT0S");
    assertThatThrownBy(() -> valid().caseMinConfidence(1.5).validate())
        .hasMessage("api caseMinConfidence must be within 0..1, was 1.5");
    assertThatThrownBy(() -> valid().passwordCost(3).validate())
        .hasMessage("api passwordCost (bcrypt) must be within 4..31, was 3");
  }

  @Test
  @DisplayName("a started configuration is sealed")
  void sealed() {
    ApiConfig config = valid();
    config.seal();
    assertThatThrownBy(() -> config.port(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the API configuration cannot change once the API has started");
  }
}
