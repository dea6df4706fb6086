package io.citybrain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallationTest {
  @TempDir Path dir;

  @Test
  void eachInstallationHasItsOwnSecretsAndEachPrincipalItsOwnPassword() {
    Installation a = Installation.generate(dir.resolve("a"));
    Installation b = Installation.generate(dir.resolve("b"));
    Principal device = Principal.device("FT", "FT-WL-0001");
    assertThat(a.password(device)).isNotEqualTo(b.password(device)).hasSize(43);
    assertThat(a.password(device)).isNotEqualTo(a.password(Principal.device("FT", "FT-WL-0002")));
    assertThat(a.password(Principal.api())).isNotEqualTo(a.password(Principal.job()));
    assertThat(Installation.load(dir.resolve("a")).password(device)).isEqualTo(a.password(device));
    assertThat(a.fleet().password(device)).isEqualTo(a.password(device));
    assertThat(a.commandKeyId()).isNotEqualTo(b.commandKeyId()).hasSize(16);
  }

  @Test
  void theFleetFolderCannotDeriveServicePasswords() {
    Installation a = Installation.generate(dir.resolve("a"));
    FleetCredentials fleet = FleetCredentials.load(dir.resolve("a").resolve("fleet"));
    assertThatThrownBy(() -> fleet.password(Principal.api()))
        .hasMessageContaining("no service passwords");
    assertThat(fleet.ackKey("X")).isEqualTo(a.ackKey("X"));
  }

  @Test
  void theSigningKeyMatchesThePublicKeyDevicesHold() throws Exception {
    Installation a = Installation.generate(dir.resolve("a"));
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(a.commandSigningKey());
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    Signature v = Signature.getInstance("Ed25519");
    v.initVerify(FleetCredentials.load(dir.resolve("a")).commandKey());
    v.update(new byte[] {1, 2, 3});
    assertThat(v.verify(sig)).isTrue();
  }

  @Test
  void secretsAreOwnerOnlyNeverOverwrittenAndRefusedWhenOthersCanReadThem() throws Exception {
    Path folder = dir.resolve("a");
    Installation.generate(folder);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(folder.resolve(Installation.SERVICE_SECRET))))
        .isEqualTo("rw-------");
    assertThatThrownBy(() -> Installation.generate(folder))
        .hasMessageContaining("never overwritten");
    Files.setPosixFilePermissions(
        folder.resolve(Installation.SERVICE_SECRET), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> Installation.load(folder))
        .hasMessageContaining("readable by others")
        .hasMessageContaining("chmod 600");
    assertThatThrownBy(() -> Installation.load(dir.resolve("none")))
        .hasMessageContaining("citybrain provision --out");
  }
}
