package io.citybrain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.seeds.Device;
import io.citybrain.seeds.DeviceClass;
import io.citybrain.seeds.Fleet;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provisioning: principals of a city, secrets kept on rerun, TLS files. */
class ProvisioningTest {

  private static Device device(String id, String district, String gateway) {
    return new Device(id, district, "aq", DeviceClass.values()[0], 22.5, 114.0, 60, gateway);
  }

  @Test
  @DisplayName("the principals: services, each district's gateway, video gateways, every device")
  void principals() {
    Fleet fleet =
        new Fleet(
            List.of(device("FT-AQ-1", "FT", null), device("FT-CAM-1", "FT", "FT-GW-001")), 1, 1);
    assertThat(Principals.of(List.of("FT", "LG"), fleet))
        .containsExactly(
            Principal.api(),
            Principal.job(),
            Principal.observer(),
            Principal.brokerAdmin(),
            Principal.districtGateway("FT"),
            Principal.districtGateway("LG"),
            Principal.gateway("FT", "FT-GW-001"),
            Principal.device("FT", "FT-AQ-1"),
            Principal.device("FT", "FT-CAM-1"));
  }

  @Test
  @DisplayName("a device that takes a service's name is refused, naming the device")
  void collision() {
    Fleet fleet = new Fleet(List.of(device("citybrain-api", "FT", null)), 1, 1);
    assertThatThrownBy(() -> Principals.of(List.of("FT"), fleet))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "device citybrain-api (FT) cannot be provisioned: DEVICE id 'citybrain-api' takes the"
                + " reserved prefix citybrain-");
    Fleet twice = new Fleet(List.of(device("FT-GW-IOT", "FT", null)), 1, 1);
    assertThatThrownBy(() -> Principals.of(List.of("FT"), twice))
        .hasMessage(
            "device FT-GW-IOT (FT) (from the fleet) takes the username of gateway FT-GW-IOT (FT);"
                + " every principal's name must be unique");
  }

  @Test
  @DisplayName("a rerun keeps every secret and the CA, rewrites the broker's file and certificate")
  void rerun(@TempDir Path dir) throws Exception {
    List<Principal> first = List.of(Principal.api(), Principal.device("FT", "FT-AQ-1"));
    Provisioning.Result one = Provisioning.run(dir, first, List.of("broker.example", "10.0.0.5"));
    assertThat(one.generated()).isTrue();
    assertThat(one.principals()).isEqualTo(Map.of(Principal.Kind.API, 1, Principal.Kind.DEVICE, 1));
    String password = Installation.load(dir).password(Principal.device("FT", "FT-AQ-1"));
    String ca = Files.readString(dir.resolve("ca/ca.crt"));
    String json = Files.readString(dir.resolve("broker/dynamic-security.json"));
    X509Certificate cert = certificate(dir.resolve("broker/broker.crt"));
    assertThat(cert.getSubjectAlternativeNames())
        .extracting(l -> l.get(1).toString())
        .containsExactly("broker.example", "10.0.0.5");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca/ca.key"))))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("broker/broker.key"))))
        .isEqualTo("rw-------");
    cert.verify(certificate(dir.resolve("ca/ca.crt")).getPublicKey());
    assertThat(Files.readString(dir.resolve("fleet/ca.crt"))).isEqualTo(ca);

    List<Principal> second =
        List.of(
            Principal.api(), Principal.device("FT", "FT-AQ-1"), Principal.device("FT", "FT-AQ-2"));
    Provisioning.Result two = Provisioning.run(dir, second, List.of());
    assertThat(two.generated()).isFalse();
    assertThat(Installation.load(dir).password(Principal.device("FT", "FT-AQ-1")))
        .isEqualTo(password);
    assertThat(Files.readString(dir.resolve("ca/ca.crt"))).isEqualTo(ca);
    assertThat(Files.readString(dir.resolve("broker/dynamic-security.json")))
        .isNotEqualTo(json)
        .contains("\"username\": \"FT-AQ-2\"");
    assertThat(certificate(dir.resolve("broker/broker.crt")).getSubjectAlternativeNames())
        .extracting(l -> l.get(1).toString())
        .containsExactly("localhost", "127.0.0.1");
  }

  @Test
  @DisplayName("a TLS name that is neither a host name nor an address is refused")
  void badTlsName(@TempDir Path dir) {
    assertThatThrownBy(() -> Provisioning.run(dir, List.of(Principal.api()), List.of("a b")))
        .hasMessage("TLS name must be a host name or an IPv4 address, was 'a b'");
  }

  private static X509Certificate certificate(Path file) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
  }
}
