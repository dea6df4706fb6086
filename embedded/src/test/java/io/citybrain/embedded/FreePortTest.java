package io.citybrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Free ports: bindable, each handed out once, and on Linux below the ephemeral range. */
class FreePortTest {
  @Test
  @DisplayName("every port found binds, none repeats, and none is one a connection could take")
  void belowTheEphemeralRange() throws Exception {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    int ephemeralStart =
        Files.exists(range)
            ? Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0])
            : Integer.MAX_VALUE;
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int port = FreePort.find();
      assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
      if (ephemeralStart > 11_000) {
        assertThat(port).isBetween(10_000, ephemeralStart - 1);
      }
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertThat(socket.getLocalPort()).isEqualTo(port);
      }
    }
  }

  @Test
  @DisplayName("a port someone listens on is not free")
  void taken() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(FreePort.isFree(socket.getLocalPort())).isFalse();
    }
  }
}
