package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code citybrain provision}: what it writes and says, on a small fleet. */
class ProvisionCommandTest {

  @Test
  @DisplayName(
      "provision writes the folders, says which goes where, never a password; a rerun keeps the secrets")
  void provision(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("installation");
    String[] first = run("provision", "--out", out.toString(), "--scale", "0.01");
    assertThat(first[0]).isEqualTo("0");
    assertThat(first[1])
        .contains("provisioned " + out.toAbsolutePath() + " (new installation: secrets generated)")
        .containsPattern(
            "principals  [0-9,]+: 1 api 1 job 1 observer [0-9]+ gateway [0-9,]+ device 1 broker_admin")
        .contains(
            out.resolve("broker").resolve("dynamic-security.json").toAbsolutePath().toString(),
            "give the simulator (or a device vendor) only " + out.resolve("fleet").toAbsolutePath(),
            "keep apart  " + out.resolve("ca").toAbsolutePath());
    Installation installation = Installation.load(out);
    String apiPassword = installation.password(Principal.api());
    String gatewayPassword = installation.password(Principal.districtGateway("FT"));
    assertThat(first[1] + first[2]).doesNotContain(apiPassword, gatewayPassword);
    assertThat(Files.readString(out.resolve("broker/dynamic-security.json")))
        .contains("\"username\": \"FT-GW-IOT\"");

    String[] second = run("provision", "--out", out.toString(), "--scale", "0.01");
    assertThat(second[0]).isEqualTo("0");
    assertThat(second[1]).contains("(existing installation: secrets kept)");
    assertThat(Installation.load(out).password(Principal.api())).isEqualTo(apiPassword);
  }

  @Test
  @DisplayName("a bad --tls-name is a flag error, and nothing is written")
  void badTlsName(@TempDir Path dir) {
    String[] result =
        run("provision", "--out", dir.resolve("x").toString(), "--tls-name", "not a name");
    assertThat(result[0]).isEqualTo("2");
    assertThat(result[2].strip())
        .isEqualTo(
            "citybrain provision: --tls-name must be a host name or an IPv4 address, was 'not a name'"
                + " (see --help)");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  /** Exit code, stdout, stderr. */
  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CityBrainCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }
}
