package io.citybrain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's file: its hash, its roles and its default. */
class DynamicSecurityFileTest {

  @Test
  @DisplayName("the hash is the plugin's: a client made by mosquitto_ctrl dynsec init checks out")
  void hashAsThePlugin() {
    // From `mosquitto_ctrl dynsec init` (2.0.11) with the password "secretpw".
    byte[] salt = Base64.getDecoder().decode("B9XTrVcYho2E2Zl/");
    assertThat(Base64.getEncoder().encodeToString(DynamicSecurityFile.hash("secretpw", salt, 101)))
        .isEqualTo(
            "1U8Cr/YamKtQB65IYX1bPpo57Eb4Zn4OgqXmsbVkwiHeJ+CO1J7yTgu5o8h5SDoeTZkQrNJne1mrm9VDjrB4Pw==");
  }

  @Test
  @DisplayName("a device's role holds its own topics only, with shared forms of its subscription")
  void deviceAcls() {
    assertThat(DynamicSecurityFile.acls(Principal.device("FT", "FT-AQ-00001")))
        .containsExactly(
            new DynamicSecurityFile.Acl("publishClientSend", "city/v1/FT/reading/FT-AQ-00001"),
            new DynamicSecurityFile.Acl("publishClientSend", "city/v1/FT/camera/FT-AQ-00001"),
            new DynamicSecurityFile.Acl("publishClientSend", "city/v1/FT/heartbeat/FT-AQ-00001"),
            new DynamicSecurityFile.Acl("publishClientSend", "city/v1/FT/ack/FT-AQ-00001"),
            new DynamicSecurityFile.Acl("subscribePattern", "city/v1/FT/cmd/FT-AQ-00001"),
            new DynamicSecurityFile.Acl("subscribePattern", "$share/+/city/v1/FT/cmd/FT-AQ-00001"));
  }

  @Test
  @DisplayName("the file denies by default, gives the admin the plugin's role, and is owner-only")
  void file(@TempDir Path dir) throws Exception {
    Installation installation = Installation.generate(dir.resolve("i"));
    Path file = dir.resolve("broker").resolve(DynamicSecurityFile.NAME);
    DynamicSecurityFile.write(file, Principals.services(), installation);
    String json = Files.readString(file);
    assertThat(json)
        .contains(
            "\"defaultACLAccess\": {\"publishClientSend\": false, \"publishClientReceive\": true,"
                + " \"subscribe\": false, \"unsubscribe\": true}")
        .contains(
            "\"username\": \"citybrain-admin\"",
            "{\"rolename\": \"citybrain-admin\"}, {\"rolename\": \"admin\"}",
            "{\"acltype\": \"publishClientSend\", \"topic\": \"$CONTROL/dynamic-security/#\"")
        .doesNotContain(installation.password(Principal.api()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  @DisplayName("two principals of one name are refused, naming it")
  void duplicate(@TempDir Path dir) {
    Installation installation = Installation.generate(dir);
    assertThatThrownBy(
            () ->
                DynamicSecurityFile.json(
                    List.of(Principal.device("FT", "X-1"), Principal.gateway("LG", "X-1")),
                    installation))
        .hasMessage("two principals are named 'X-1'; every username must be unique");
  }
}
