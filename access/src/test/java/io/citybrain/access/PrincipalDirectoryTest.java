package io.citybrain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrincipalDirectoryTest {
  @TempDir Path dir;

  @Test
  void servicesLogInWithTheirOwnPasswordAndNobodyElsesPassword() {
    Installation installation = Installation.generate(dir.resolve("i"));
    PrincipalDirectory directory = new PrincipalDirectory(installation);
    for (Principal service :
        List.of(Principal.api(), Principal.job(), Principal.observer(), Principal.brokerAdmin())) {
      assertThat(directory.authenticate(service.name(), installation.password(service)))
          .contains(service);
    }
    assertThat(directory.authenticate(Principal.JOB, installation.password(Principal.api())))
        .isEmpty();
    assertThat(directory.authenticate(Principal.JOB, "")).isEmpty();
    assertThat(directory.authenticate(Principal.JOB, null)).isEmpty();
    assertThat(directory.authenticate(null, "x")).isEmpty();
    assertThat(directory.size()).isEqualTo(4);
  }

  @Test
  void aDeviceLogsInOnlyOnceRegistered() {
    Installation installation = Installation.generate(dir.resolve("i"));
    PrincipalDirectory directory = new PrincipalDirectory(installation);
    Principal device = Principal.device("FT", "FT-WL-0001");
    String password = installation.password(device);
    assertThat(directory.authenticate(device.name(), password)).isEmpty();
    directory.add(device).add(device);
    assertThat(directory.authenticate(device.name(), password)).contains(device);
    assertThat(directory.find(device.name())).contains(device);
    assertThat(directory.authenticate(device.name(), password + "x")).isEmpty();
  }

  @Test
  void anotherInstallationsPasswordDoesNotWork() {
    Installation mine = Installation.generate(dir.resolve("mine"));
    Installation theirs = Installation.generate(dir.resolve("theirs"));
    Principal gateway = Principal.districtGateway("FT");
    PrincipalDirectory directory = new PrincipalDirectory(mine).addAll(List.of(gateway));
    assertThat(directory.authenticate(gateway.name(), theirs.password(gateway))).isEmpty();
    assertThat(directory.authenticate(gateway.name(), mine.password(gateway))).contains(gateway);
  }

  @Test
  void aTakenUsernameIsNotGivenToAnotherPrincipal() {
    PrincipalDirectory directory =
        new PrincipalDirectory(Installation.generate(dir.resolve("i")))
            .add(Principal.device("FT", "X-1"));
    assertThatThrownBy(() -> directory.add(Principal.device("DP", "X-1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("username 'X-1' is taken by device X-1 (FT); cannot add device X-1 (DP)");
  }

  @Test
  void addsFromManyThreads() {
    PrincipalDirectory directory = new PrincipalDirectory(Installation.generate(dir.resolve("i")));
    IntStream.range(0, 2_000)
        .parallel()
        .forEach(i -> directory.add(Principal.device("FT", "FT-D-" + i)));
    assertThat(directory.size()).isEqualTo(2_004);
  }
}
