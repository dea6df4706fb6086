package io.citybrain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.settings.InvalidSettingException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class BrokerLoginOptionsTest {
  @TempDir Path dir;
  private Installation installation;

  @BeforeEach
  void provision() {
    installation = Installation.generate(dir.resolve("site"));
  }

  @Test
  void anInstallationFolderLogsAServiceInAsItself() {
    BrokerLogin login =
        parse(Map.of(), "--credentials", dir.resolve("site").toString())
            .serviceLogin(Principal.job());
    assertThat(login.username()).isEqualTo("citybrain-job");
    assertThat(login.password()).isEqualTo(installation.password(Principal.job()));
  }

  @Test
  void aFleetFolderHoldsNoServicePasswords() {
    Path fleet = dir.resolve("site").resolve("fleet");
    assertThatThrownBy(
            () -> parse(Map.of(), "--credentials", fleet.toString()).serviceLogin(Principal.api()))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage(
            "--credentials folder "
                + fleet
                + " is a fleet folder: it holds no service passwords; give the installation's"
                + " folder (the parent of fleet/)");
  }

  @Test
  void aMissingFolderSaysHowToMakeOne() {
    Path missing = dir.resolve("nowhere");
    assertThatThrownBy(
            () ->
                parse(Map.of(), "--credentials", missing.toString()).serviceLogin(Principal.job()))
        .hasMessage(
            "--credentials folder "
                + missing
                + " does not exist; create one with: citybrain provision --out "
                + missing);
    assertThatThrownBy(() -> parse(Map.of(), "--credentials", missing.toString()).fleet())
        .hasMessageContaining("citybrain provision --out " + missing);
  }

  @Test
  void noLoginAtAllIsRefusedWithTheWaysToGiveOne() {
    assertThatThrownBy(() -> parse(Map.of()).serviceLogin(Principal.job()))
        .hasMessage(
            "--credentials is missing: the broker refuses anonymous clients; give --credentials"
                + " DIR (citybrain provision --out DIR makes one) or --mqtt-username NAME with"
                + " --mqtt-password-file FILE");
    assertThatThrownBy(() -> parse(Map.of()).fleet())
        .hasMessage(
            "--credentials is missing: the broker refuses anonymous clients; give --credentials"
                + " DIR, the installation's fleet/ folder (citybrain provision --out DIR makes"
                + " one)");
  }

  @Test
  void aUsernameTakesItsPasswordFromAnOwnerOnlyFileOrTheEnvironment() {
    Path file = dir.resolve("job.password");
    SecretFiles.write(file, "from-the-file\n");
    assertThat(
            parse(Map.of(), "--mqtt-username", "job-7", "--mqtt-password-file", file.toString())
                .serviceLogin(Principal.job()))
        .isEqualTo(new BrokerLogin("job-7", "from-the-file"));
    assertThat(
            parse(Map.of(BrokerLoginOptions.PASSWORD_ENV, "from-env"), "--mqtt-username", "job-7")
                .serviceLogin(Principal.job()))
        .isEqualTo(new BrokerLogin("job-7", "from-env"));
    assertThatThrownBy(
            () -> parse(Map.of(), "--mqtt-username", "job-7").serviceLogin(Principal.job()))
        .hasMessage(
            "--mqtt-username job-7 needs its password: --mqtt-password-file FILE or env"
                + " CITYBRAIN_MQTT_PASSWORD (never a flag value)");
    assertThatThrownBy(
            () ->
                parse(Map.of(), "--mqtt-password-file", file.toString())
                    .serviceLogin(Principal.job()))
        .hasMessage("--mqtt-password-file needs --mqtt-username NAME");
  }

  @Test
  void theSimulatorReadsTheFleetFromEitherFolder() {
    Principal gateway = Principal.districtGateway("FT");
    String expected = installation.password(gateway);
    assertThat(
            parse(Map.of(), "--credentials", dir.resolve("site").toString())
                .fleet()
                .password(gateway))
        .isEqualTo(expected);
    assertThat(
            parse(Map.of(), "--credentials", dir.resolve("site/fleet").toString())
                .fleet()
                .password(gateway))
        .isEqualTo(expected);
    assertThatThrownBy(() -> parse(Map.of(), "--mqtt-username", "x").fleet())
        .hasMessageStartingWith("--mqtt-username is one login");
  }

  @Test
  void theCaFileIsPassedOn() {
    assertThat(parse(Map.of(), "--mqtt-ca", "/etc/citybrain/ca.pem").caCertificate())
        .isEqualTo(Path.of("/etc/citybrain/ca.pem"));
    assertThat(parse(Map.of()).caCertificate()).isNull();
  }

  /** A command holding the mixin, parsed as picocli does for the real commands. */
  @Command(name = "probe")
  static final class Probe {
    @Mixin BrokerLoginOptions login;
  }

  private static BrokerLoginOptions parse(Map<String, String> env, String... args) {
    Probe probe = new Probe();
    probe.login = new BrokerLoginOptions(env::get);
    new CommandLine(probe).parseArgs(args);
    return probe.login;
  }
}
