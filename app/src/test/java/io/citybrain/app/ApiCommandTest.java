package io.citybrain.app;

import static io.citybrain.app.CommandResult.help;
import static io.citybrain.app.CommandResult.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Installation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code citybrain api} checks its configuration before it starts anything: each problem in one
 * line naming its flag (exit 2, as every launcher subcommand), the same flag names as {@code demo}.
 */
class ApiCommandTest {
  private static final String DB = "jdbc:postgresql://127.0.0.1:1/x";
  private static final String MQTT = "tcp://127.0.0.1:1";

  /** An installation's folder: the login and command keys, so the later checks are reached. */
  @TempDir static Path site;

  private static String credentials() {
    Path dir = site.resolve("installation");
    if (!Files.exists(dir)) {
      Installation.generate(dir);
    }
    return dir.toString();
  }

  @ParameterizedTest(name = "{0} {1}")
  @DisplayName("a bad setting names its flag, exits 2, and never shows a password")
  @CsvSource(
      delimiter = '|',
      value = {
        "--api-port|70000|--api-port must be within 0..65535 (0 picks a free port), was 70000",
        "--port|-1|--api-port must be within 0..65535 (0 picks a free port), was -1",
        "--db-url|mysql://db/x?user=u&password=s3cret|--db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was 'mysql://db/x?user=u&password=***'",
        "--mqtt-url|localhost:1883|--mqtt-url must look like tcp://host:port or ssl://host:port, was 'localhost:1883'",
        "--db-connection-timeout-ms|100|--db-connection-timeout-ms must be at least 250 ms, was 100 ms",
        "--bind|''|--bind is required (e.g. 127.0.0.1)",
      })
  void badSetting(String flag, String value, String message) {
    CommandResult result =
        flag.equals("--db-url")
            ? run("api", flag, value, "--mqtt-url", MQTT)
            : flag.equals("--mqtt-url")
                ? run("api", "--db-url", DB, flag, value)
                : run(
                    "api",
                    "--db-url",
                    DB,
                    "--mqtt-url",
                    MQTT,
                    "--credentials",
                    credentials(),
                    flag,
                    value);
    assertThat(result.code()).as(result.err()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo("citybrain api: " + message + " (see --help)")
        .doesNotContain("s3cret");
    assertThat(result.out()).isEmpty();
  }

  @ParameterizedTest(name = "{0} {1}")
  @DisplayName("bad tracking settings of a run's commands name their flags")
  @CsvSource(
      delimiter = '|',
      value = {
        "--max-attempts|0|--max-attempts must be within 1..10, was 0",
        "--ack-timeout-ms|0|--ack-timeout-ms must be a positive duration, was PT0S",
        "--leader-poll-ms|0|--leader-poll-ms must be a positive duration, was PT0S",
      })
  void badTracking(String flag, String value, String message) {
    CommandResult result =
        run("api", "--db-url", DB, "--mqtt-url", MQTT, "--credentials", credentials(), flag, value);
    assertThat(result.code()).as(result.err()).isEqualTo(2);
    assertThat(result.err().strip()).startsWith("citybrain api: " + flag + " must be");
    assertThat(result.err().strip()).isEqualTo("citybrain api: " + message + " (see --help)");
  }

  @Test
  @DisplayName("without a broker login the API does not start, and says how to get one")
  void noLogin() {
    CommandResult result = run("api", "--db-url", DB, "--mqtt-url", MQTT);
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err().strip())
        .startsWith("citybrain api: --credentials is missing: the broker refuses anonymous clients")
        .endsWith("(see --help)");
  }

  @Test
  @DisplayName("api takes the demo's names for the same things, each with its environment variable")
  void sameVocabularyAsDemo() {
    String help = help("api");
    assertThat(help)
        .contains(
            "--db-url=JDBC",
            "env CITYBRAIN_DB_URL",
            "--mqtt-url=URL",
            "env CITYBRAIN_MQTT_URL",
            "--bind=ADDRESS",
            "env CITYBRAIN_BIND",
            "--api-port=PORT",
            "env CITYBRAIN_API_PORT",
            "--credentials",
            "--mqtt-ca",
            "--jwt-key-file",
            "--flink-rest-url",
            "--no-migrate");
    assertThat(help("demo")).contains("--bind", "--api-port", "--db-url=JDBC", "--mqtt-url=URL");
  }
}
