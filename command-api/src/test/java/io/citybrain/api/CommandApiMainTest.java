package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Installation;
import io.citybrain.access.SecretFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line names its own flags in configuration errors, old spellings included. */
class CommandApiMainTest {

  @Test
  @DisplayName("a bad database URL is refused naming --db-url, before anything is started")
  void restatesTheFlag() {
    Run run = run("--db-url", "postgres://db/citybrain?password=s3cret");
    assertThat(run.exit).isEqualTo(1);
    assertThat(run.err)
        .contains(
            "citybrain-api: --db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db),"
                + " was 'postgres://db/citybrain?password=***'")
        .doesNotContain("s3cret");
  }

  @Test
  @DisplayName("--db and --mqtt still set the URLs, with a warning that they are deprecated")
  void oldSpellings() {
    Run run = run("--db", "jdbc:postgresql://db/citybrain", "--mqtt", "mqtt://nowhere");
    assertThat(run.err)
        .contains("--db is deprecated, use --db-url")
        .contains("--mqtt is deprecated, use --mqtt-url")
        .contains(
            "--mqtt-url must look like tcp://host:port or ssl://host:port, was 'mqtt://nowhere'");
    assertThat(run.exit).isEqualTo(1);
  }

  @Test
  @DisplayName("no broker login, or the fleet's folder, is refused saying how to get one")
  void login(@TempDir Path dir) {
    Run none = run("--db-url", "jdbc:postgresql://db/citybrain", "--mqtt-url", "tcp://b:1883");
    assertThat(none.exit).isEqualTo(1);
    assertThat(none.err)
        .contains(
            "citybrain-api: --credentials is missing: the broker refuses anonymous clients; give"
                + " --credentials DIR (citybrain provision --out DIR makes one) or --mqtt-username"
                + " NAME with --mqtt-password-file FILE");
    Installation installation = Installation.generate(dir.resolve("site"));
    Run fleet =
        run(
            "--db-url",
            "jdbc:postgresql://db/citybrain",
            "--credentials",
            installation.fleet().folder().toString());
    assertThat(fleet.err).contains("it holds no service passwords");
  }

  @Test
  @DisplayName("a login without the installation's keys is refused: the API signs every command")
  void commandKeys(@TempDir Path dir) {
    Path password = dir.resolve("api.password");
    SecretFiles.write(password, "not-needed-here\n");
    Run run =
        run(
            "--db-url",
            "jdbc:postgresql://db/citybrain",
            "--mqtt-username",
            "citybrain-api",
            "--mqtt-password-file",
            password.toString());
    assertThat(run.exit).isEqualTo(1);
    assertThat(run.err)
        .contains("citybrain-api: --credentials are required: the API signs every command");
  }

  @Test
  @DisplayName("bad webhook settings are refused naming their flags")
  void webhookFlags() {
    String[] base = {"--db-url", "jdbc:postgresql://db/citybrain", "--mqtt-url", "tcp://b:1883"};
    assertThat(run(concat(base, "--webhook-max-attempts", "0")).err)
        .contains("citybrain-api: --webhook-max-attempts must be within 1..20, was 0");
    assertThat(run(concat(base, "--webhook-timeout-ms", "50")).err)
        .contains("citybrain-api: --webhook-timeout-ms must be within 100 ms..60 s, was 50 ms");
    assertThat(
            run(concat(base, "--webhook-backoff-ms", "2000", "--webhook-backoff-max-ms", "1000"))
                .err)
        .contains(
            "citybrain-api: --webhook-backoff-max-ms must not be below the webhook backoff (PT2S),"
                + " was PT1S");
    Run hosts = run(concat(base, "--webhook-allow-hosts", "127.0.0.1,bad host"));
    assertThat(hosts.exit).isEqualTo(1);
    assertThat(hosts.err)
        .contains(
            "citybrain-api: --webhook-allow-hosts must be host names or IP addresses separated by"
                + " commas, was 'bad host'");
  }

  private static String[] concat(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  private record Run(int exit, String err) {}

  private static Run run(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = new CommandLine(new CommandApiMain()).execute(args);
      return new Run(exit, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }
}
