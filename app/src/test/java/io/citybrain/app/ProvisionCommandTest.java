package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.seeds.Device;
import io.citybrain.seeds.DeviceClass;
import io.citybrain.seeds.Fleet;
import io.citybrain.seeds.SeedSource;
import io.citybrain.simulators.FleetSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
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
            "give the simulator only " + out.resolve("fleet").toAbsolutePath(),
            "give the job only " + out.resolve("job").toAbsolutePath(),
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
  @DisplayName(
      "a bundle holds one principal's own password (the one the broker hashed), its ack keys, the"
          + " public key and ca.crt, owner-only, and no master secret")
  void export(@TempDir Path dir) throws Exception {
    Fleet fleet =
        new FleetSettings(SeedSource.classpath(), 0.01, FleetSettings.DEFAULT_FLEET_SEED)
            .expand(FleetSettings.shipped().load());
    Device actuator =
        fleet.devices().stream()
            .filter(d -> d.district().equals("FT") && d.deviceClass() == DeviceClass.ACTUATOR)
            .findFirst()
            .orElseThrow();
    Device camera =
        fleet.devices().stream().filter(d -> d.gatewayId() != null).findFirst().orElseThrow();
    Path out = dir.resolve("installation");
    Path bundles = dir.resolve("bundles");
    String[] result =
        run(
            "provision",
            "--out",
            out.toString(),
            "--scale",
            "0.01",
            "--export",
            "FT-GW-IOT",
            "--export",
            actuator.id(),
            "--export",
            camera.gatewayId(),
            "--export-to",
            bundles.toString());
    assertThat(result[0]).as(result[2]).isEqualTo("0");
    assertThat(result[1])
        .contains(
            "exported    device "
                + actuator.id()
                + " (FT): give only "
                + bundles.resolve(actuator.id()).toAbsolutePath());
    Installation installation = Installation.load(out);
    JsonNode clients =
        new ObjectMapper()
            .readTree(out.resolve("broker/dynamic-security.json").toFile())
            .get("clients");

    Path device = bundles.resolve(actuator.id());
    String password = Files.readString(device.resolve("mqtt.password")).strip();
    assertThat(password).isEqualTo(installation.password(Principal.device("FT", actuator.id())));
    assertThat(hashedByTheBroker(clients, actuator.id(), password)).isTrue();
    assertThat(hashedByTheBroker(clients, "FT-GW-IOT", password)).isFalse();
    assertThat(Base64.getDecoder().decode(Files.readString(device.resolve("ack.key")).strip()))
        .isEqualTo(installation.ackKey(actuator.id()));
    assertThat(Files.readString(device.resolve("command-signing.pub")))
        .isEqualTo(Files.readString(out.resolve("fleet/command-signing.pub")));
    assertThat(Files.readString(device.resolve("ca.crt")))
        .isEqualTo(Files.readString(out.resolve("broker/ca.crt")));
    assertThat(Files.readAllLines(device.resolve("README.txt"))).hasSize(2);

    // The district's IoT gateway carries its district's commands and acks: every FT actuator's key.
    Path gateway = bundles.resolve("FT-GW-IOT");
    assertThat(
            hashedByTheBroker(
                clients, "FT-GW-IOT", Files.readString(gateway.resolve("mqtt.password")).strip()))
        .isTrue();
    List<String> ftActuators =
        fleet.devices().stream()
            .filter(d -> d.district().equals("FT") && d.deviceClass() == DeviceClass.ACTUATOR)
            .map(Device::id)
            .toList();
    try (Stream<Path> keys = Files.list(gateway.resolve("ack-keys"))) {
      assertThat(keys.map(p -> p.getFileName().toString()).toList())
          .containsExactlyInAnyOrderElementsOf(ftActuators);
    }
    assertThat(
            Base64.getDecoder()
                .decode(
                    Files.readString(gateway.resolve("ack-keys").resolve(actuator.id())).strip()))
        .isEqualTo(installation.ackKey(actuator.id()));
    // A video-analytics gateway carries batches only: no ack key.
    try (Stream<Path> keys = Files.list(bundles.resolve(camera.gatewayId()).resolve("ack-keys"))) {
      assertThat(keys).isEmpty();
    }

    byte[][] masters = {
      Files.readAllBytes(out.resolve("fleet/mqtt.secret")),
      Files.readAllBytes(out.resolve("fleet/device.secret")),
      Files.readAllBytes(out.resolve("service.secret")),
      Files.readAllBytes(out.resolve("command-signing.key"))
    };
    List<Path> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(bundles)) {
      all.filter(Files::isRegularFile).forEach(files::add);
    }
    assertThat(files).hasSizeGreaterThan(10);
    for (Path f : files) {
      byte[] content = Files.readAllBytes(f);
      for (byte[] master : masters) {
        assertThat(MessageDigest.isEqual(content, master)).as(f.toString()).isFalse();
        assertThat(new String(content)).as(f.toString()).doesNotContain(new String(master).strip());
      }
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .as(f.toString())
          .isEqualTo("rw-------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(device)))
        .isEqualTo("rwx------");

    // The job's own folder: its password, the one the broker hashed, and the CA.
    String jobPassword = Files.readString(out.resolve("job/mqtt.password")).strip();
    assertThat(jobPassword).isEqualTo(installation.password(Principal.job()));
    assertThat(hashedByTheBroker(clients, Principal.JOB, jobPassword)).isTrue();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("job/mqtt.password"))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(out.resolve("job/ca.crt")))
        .isEqualTo(Files.readString(out.resolve("broker/ca.crt")));
  }

  @Test
  @DisplayName(
      "--export of a service or of no principal of the fleet is a flag error; nothing is written")
  void exportRefused(@TempDir Path dir) {
    String[] service =
        run(
            "provision",
            "--out",
            dir.resolve("a").toString(),
            "--scale",
            "0.01",
            "--export",
            "citybrain-job",
            "--export-to",
            dir.resolve("out").toString());
    assertThat(service[0]).isEqualTo("2");
    assertThat(service[2].strip())
        .isEqualTo(
            "citybrain provision: --export names the service citybrain-job: a service's password"
                + " never leaves the installation (the stream job's is in DIR/job/); export a"
                + " gateway or a device (see --help)");
    String[] unknown =
        run(
            "provision",
            "--out",
            dir.resolve("a").toString(),
            "--scale",
            "0.01",
            "--export",
            "XX-NOPE-1",
            "--export-to",
            dir.resolve("out").toString());
    assertThat(unknown[0]).isEqualTo("2");
    assertThat(unknown[2].strip())
        .isEqualTo(
            "citybrain provision: --export must name a gateway or a device of the provisioned"
                + " fleet, was 'XX-NOPE-1' (see --help)");
    String[] noFolder =
        run("provision", "--out", dir.resolve("a").toString(), "--export", "FT-GW-IOT");
    assertThat(noFolder[2].strip())
        .isEqualTo(
            "citybrain provision: --export needs the bundles' folder: --export-to OUT (see --help)");
    assertThat(dir.resolve("a")).doesNotExist();
    assertThat(dir.resolve("out")).doesNotExist();
  }

  /**
   * True when the broker's client of this name was hashed from this password (the plugin's check).
   */
  private static boolean hashedByTheBroker(JsonNode clients, String username, String password)
      throws Exception {
    for (JsonNode c : clients) {
      if (c.get("username").asText().equals(username)) {
        byte[] salt = Base64.getDecoder().decode(c.get("salt").asText());
        PBEKeySpec spec =
            new PBEKeySpec(password.toCharArray(), salt, c.get("iterations").asInt(), 512);
        byte[] hash =
            SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        return MessageDigest.isEqual(hash, Base64.getDecoder().decode(c.get("password").asText()));
      }
    }
    throw new AssertionError("the broker has no client " + username);
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
