package io.citybrain.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds a TCP port on the loopback interface that nothing listens on right now.
 *
 * <p>Below the kernel's ephemeral range where there is room: a port found free there is given to
 * the process that asked only a moment (or, for a JobManager restarted on its ports, minutes)
 * later, and meanwhile any outgoing connection may take an ephemeral port for its own end (a kill
 * test once lost a JobManager start to "Could not start rest endpoint on any port in port range
 * 39595" that way). Below the range only listeners take ports, and this JVM hands each out once.
 */
public final class FreePort {
  private static final int LOWEST = 10_000;
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int EPHEMERAL_START = ephemeralStart();
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePort() {}

  public static int find() {
    int below = EPHEMERAL_START;
    if (below - LOWEST >= 1_000) {
      for (int attempt = 0; attempt < 200; attempt++) {
        int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
        if (isFree(port) && HANDED_OUT.add(port)) {
          return port;
        }
      }
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }

  /** True when nothing listens on the port on the loopback interface. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first port of the kernel's ephemeral range (Linux), or {@code LOWEST} when unknown. */
  private static int ephemeralStart() {
    try {
      // Line by line: Files.readString of this procfs file gave "3" (the file reports size 0).
      try (BufferedReader in = Files.newBufferedReader(EPHEMERAL_RANGE)) {
        return Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
      }
    } catch (IOException | RuntimeException e) {
      return LOWEST;
    }
  }
}
