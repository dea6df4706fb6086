package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.access.BrokerLogin;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.access.Principals;
import io.citybrain.access.Provisioning;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The job jar's command line: flags to settings, and a bad setting restated as its flag. */
class CityJobMainTest {
  private final StringWriter err = new StringWriter();
  @TempDir static Path dir;
  private static Installation installation;

  @BeforeAll
  static void provision() {
    installation = Installation.generate(dir.resolve("installation"));
  }

  @Test
  @DisplayName("flags become settings; durations read as people write them")
  void flags() {
    CityJobConfig config =
        parse(
                "--mqtt-url",
                "tcp://broker:1883",
                "--db-url",
                "jdbc:postgresql://db/citybrain",
                "--checkpoint-interval",
                "500ms",
                "--allowed-lateness",
                "2m",
                "--no-publish")
            .config(List.of("DP"));
    assertThat(config.mqttUrl()).isEqualTo("tcp://broker:1883");
    assertThat(config.checkpointInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.allowedLateness()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.outOfOrderness()).isEqualTo(CityJobConfig.DEFAULT_OUT_OF_ORDERNESS);
    assertThat(config.publishResults()).isFalse();
    assertThat(config.mqttLogin())
        .isEqualTo(new BrokerLogin(Principal.JOB, installation.password(Principal.job())));
    assertThat(config.describe().toString())
        .contains("citybrain-job")
        .doesNotContain(config.mqttLogin().password());
  }

  @Test
  @DisplayName("a job without a login, or with the fleet's folder, is a usage error saying why")
  void login() {
    CityJobMain none = new CityJobMain();
    CityJobMain.commandLine(none)
        .parseArgs("--mqtt-url", "tcp://b:1883", "--db-url", "jdbc:postgresql://db/x");
    assertThatThrownBy(() -> none.config(List.of("DP")))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith("--credentials is missing: the broker refuses anonymous clients");
    CityJobMain fleet = new CityJobMain();
    CityJobMain.commandLine(fleet)
        .parseArgs(
            "--mqtt-url",
            "tcp://b:1883",
            "--db-url",
            "jdbc:postgresql://db/x",
            "--credentials",
            installation.fleet().folder().toString());
    assertThatThrownBy(() -> fleet.config(List.of("DP")))
        .hasMessageContaining("it holds no service passwords");
    assertThatThrownBy(
            () ->
                parse(
                        "--mqtt-url",
                        "tcp://b:1883",
                        "--db-url",
                        "jdbc:postgresql://db/x",
                        "--mqtt-ca",
                        dir.resolve("ca.pem").toString())
                    .config(List.of("DP")))
        .hasMessageStartingWith("--mqtt-ca is for TLS: use an ssl:// MQTT URL");
  }

  @Test
  @DisplayName("a bad setting is a usage error that names the flag")
  void restatedWithTheFlag() {
    assertThatThrownBy(
            () ->
                parse("--mqtt-url", "mqtt://broker", "--db-url", "jdbc:postgresql://db/citybrain")
                    .config(List.of("DP")))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith("--mqtt-url must look like tcp://host:port");
    assertThatThrownBy(
            () ->
                parse(
                        "--mqtt-url",
                        "tcp://broker:1883",
                        "--db-url",
                        "jdbc:postgresql://db/x",
                        "--lanes",
                        "0")
                    .config(List.of("DP")))
        .hasMessage("--lanes must be at least 1, was 0");
  }

  @Test
  @DisplayName("--broker still works, with a warning, and --mqtt-url wins over it")
  void deprecatedBroker() {
    CityJobMain old = parse("--broker", "tcp://old:1883", "--db-url", "jdbc:postgresql://db/x");
    assertThat(old.config(List.of("DP")).mqttUrl()).isEqualTo("tcp://old:1883");
    assertThat(err.toString()).contains("--broker is deprecated, use --mqtt-url");
    CityJobMain both =
        parse(
            "--broker",
            "tcp://old:1883",
            "--mqtt-url",
            "tcp://new:1883",
            "--db-url",
            "jdbc:postgresql://db/x");
    assertThat(both.config(List.of("DP")).mqttUrl()).isEqualTo("tcp://new:1883");
  }

  @Test
  @DisplayName(
      "the job logs in from its own folder (DIR/job: password file and CA), as compose runs it")
  void jobFolder(@TempDir Path other) {
    Path folder = other.resolve("installation");
    Provisioning.Result provisioned =
        Provisioning.run(folder, Principals.services(), List.of("mqtt"));
    Path job = provisioned.jobFolder();
    CityJobMain main = new CityJobMain();
    CityJobMain.commandLine(main)
        .parseArgs(
            "--mqtt-url",
            "ssl://mqtt:8883",
            "--mqtt-username",
            "citybrain-job",
            "--mqtt-password-file",
            job.resolve("mqtt.password").toString(),
            "--mqtt-ca",
            job.resolve("ca.crt").toString(),
            "--db-url",
            "jdbc:postgresql://db/citybrain");
    CityJobConfig config = main.config(List.of("DP"));
    assertThat(config.mqttUrl()).isEqualTo("ssl://mqtt:8883");
    assertThat(config.mqttLogin())
        .isEqualTo(
            new BrokerLogin(Principal.JOB, Installation.load(folder).password(Principal.job())));
    assertThat(config.mqttCaCertificate()).isEqualTo(job.resolve("ca.crt").toString());
  }

  private CityJobMain parse(String... args) {
    CityJobMain main = new CityJobMain();
    CommandLine line = CityJobMain.commandLine(main);
    line.setErr(new PrintWriter(err, true));
    List<String> flags = new ArrayList<>(List.of(args));
    flags.addAll(List.of("--credentials", installation.folder().toString()));
    line.parseArgs(flags.toArray(String[]::new));
    return main;
  }
}
