package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.citybrain.access.BrokerLogin;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.api.response.CommandKeys;
import io.citybrain.settings.InvalidSettingException;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Bad configuration stops startup with an exact message; defaults are the named constants. */
class ApiConfigTest {
  private static final CommandKeys KEYS = keys();

  private static CommandKeys keys() {
    try {
      return CommandKeys.of(Installation.generate(Files.createTempDirectory("installation")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static ApiConfig.Builder valid() {
    return ApiConfig.builder()
        .jdbcUrl("jdbc:postgresql://127.0.0.1:5432/citybrain")
        .mqttUrl("tcp://127.0.0.1:1883")
        .mqttLogin(new BrokerLogin(Principal.API, "api-s3cret"))
        .commandKeys(KEYS);
  }

  @Test
  @DisplayName("without the installation's command keys the API does not start, and says how")
  void commandKeysRequired() {
    assertThatThrownBy(
            () ->
                ApiConfig.builder()
                    .jdbcUrl("jdbc:postgresql://127.0.0.1:5432/citybrain")
                    .mqttUrl("tcp://127.0.0.1:1883")
                    .mqttLogin(new BrokerLogin(Principal.API, "api-s3cret"))
                    .build())
        .hasMessage(
            "credentials are required: the API signs every command and verifies every ack with"
                + " the installation's keys; give --credentials DIR (citybrain provision --out DIR"
                + " makes one)");
  }

  @Test
  @DisplayName(
      "a JWT key file group or others can read stops startup with an exact message, before any connection")
  void sharedKeyFileRefused() throws Exception {
    java.nio.file.Path key = Files.createTempDirectory("jwt").resolve("jwt.key");
    Files.writeString(key, "x".repeat(64) + "\n");
    Files.setPosixFilePermissions(
        key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    // The database URL leads nowhere: the key file is refused before it is tried.
    ApiConfig config =
        valid().jdbcUrl("jdbc:postgresql://127.0.0.1:1/none").jwtKeyFile(key).build();
    assertThatThrownBy(() -> CommandApi.start(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "JWT key file "
                + key
                + " is readable or writable by group or others (rw-r--r--); run: chmod 600 "
                + key);
  }

  @Test
  @DisplayName("a minimal configuration builds with the documented defaults")
  void defaults() {
    ApiConfig config = valid().build();
    assertThat(config.port()).isEqualTo(ApiConfig.DEFAULT_PORT).isEqualTo(8080);
    assertThat(config.jwtSecret()).isNull();
    assertThat(config.maxAttempts()).isEqualTo(ApiConfig.DEFAULT_MAX_ATTEMPTS);
    assertThat(config.summaryCache()).isEqualTo(ApiConfig.DEFAULT_SUMMARY_CACHE);
    assertThat(config.liveRevocationCheck()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  @DisplayName("the escalation scan runs every 30 s by default, may be turned off, and is bounded")
  void escalationScan() {
    assertThat(valid().build().escalationScan()).isEqualTo(Duration.ofSeconds(30));
    assertThat(valid().escalationScan(Duration.ZERO).build().escalationScan()).isZero();
    assertThatThrownBy(() -> valid().escalationScan(Duration.ofMillis(50)).build())
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("escalation scan must be within 100 ms..5 min (0 turns it off), was 50 ms");
    assertThatThrownBy(() -> valid().escalationScan(Duration.ofMinutes(6)).build())
        .hasMessage("escalation scan must be within 100 ms..5 min (0 turns it off), was 360000 ms");
    assertThat(valid().escalationScan(Duration.ZERO).build().describe().toString())
        .containsPattern("escalation scan +off");
  }

  @Test
  @DisplayName("each bad setting is refused in domain words, naming it")
  void exactMessages() {
    assertThatThrownBy(() -> ApiConfig.builder().mqttUrl("tcp://h:1").build())
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage(
            "database URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was not set");
    assertThatThrownBy(() -> valid().mqttLogin(null).build())
        .hasMessage("MQTT login is missing: the broker refuses anonymous clients");
    assertThatThrownBy(() -> valid().mqttCaCertificate(java.nio.file.Path.of("/ca.pem")).build())
        .hasMessageStartingWith("MQTT CA certificate is for TLS: use an ssl:// MQTT URL");
    assertThatThrownBy(() -> valid().mqttUrl("localhost").build())
        .hasMessage("MQTT URL must look like tcp://host:port or ssl://host:port, was 'localhost'");
    assertThatThrownBy(() -> valid().port(70_000).build())
        .hasMessage("HTTP port must be within 0..65535 (0 picks a free port), was 70000");
    assertThatThrownBy(() -> valid().jwtSecret("short").build())
        .hasMessage(
            "JWT secret must be at least 32 bytes (HS256 needs a 256-bit key); leave it unset to"
                + " generate one per installation");
    assertThatThrownBy(() -> valid().maxAttempts(0).build())
        .hasMessage("attempts per command must be within 1..10, was 0");
    assertThatThrownBy(
            () ->
                valid()
                    .retryBackoff(Duration.ofSeconds(5))
                    .retryBackoffMax(Duration.ofSeconds(1))
                    .build())
        .hasMessage("longest retry backoff must not be below the retry backoff (PT5S), was PT1S");
    assertThatThrownBy(() -> valid().ackTimeout(Duration.ZERO).build())
        .hasMessage("ack timeout must be a positive duration, was PT0S");
    assertThatThrownBy(() -> valid().caseMinConfidence(1.5).build())
        .hasMessage("case minimum confidence must be within 0.0..1.0, was 1.5");
    assertThatThrownBy(() -> valid().passwordCost(3).build())
        .hasMessage("bcrypt cost must be within 4..31, was 3");
    assertThatThrownBy(() -> valid().summaryCache(Duration.ofMillis(-1)).build())
        .hasMessage("summary cache must not be negative, was PT-0.001S");
    assertThatThrownBy(() -> valid().liveRevocationCheck(Duration.ZERO).build())
        .hasMessage("live revocation check must be a positive duration, was PT0S");
  }

  @Test
  @DisplayName("a command line restates a bad setting with its own flag")
  void restatedAsFlag() {
    InvalidSettingException e =
        assertThrows(
            InvalidSettingException.class, () -> valid().jdbcUrl("postgres://h/db").build());
    assertThat(e.restatedFor(s -> s.equals(ApiConfig.DATABASE_URL) ? "--db-url" : s))
        .isEqualTo(
            "--db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was"
                + " 'postgres://h/db'");
  }

  @Test
  @DisplayName("the description lists every setting once, with the password and secret masked")
  void described() {
    String text =
        ApiConfig.builder()
            .jdbcUrl("jdbc:postgresql://db:5432/citybrain?user=api&password=s3cret")
            .mqttUrl("tcp://broker:1883")
            .mqttLogin(new BrokerLogin(Principal.API, "api-s3cret"))
            .jwtSecret("x".repeat(40))
            .commandKeys(KEYS)
            .build()
            .describe()
            .toString();
    assertThat(text)
        .startsWith("Command API:")
        .contains("database URL")
        .contains("password=***")
        .contains("tcp://broker:1883")
        .containsPattern("MQTT login +citybrain-api")
        .doesNotContain("s3cret")
        .doesNotContain("x".repeat(40));
    assertThat(text.lines().filter(l -> l.contains("JWT secret")))
        .singleElement()
        .asString()
        .endsWith("***");
  }
}
