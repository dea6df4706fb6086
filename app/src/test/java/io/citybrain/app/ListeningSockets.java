package io.citybrain.app;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets this JVM (or another process of this user) listens on, read from Linux's /proc:
 * every server any library opened, not only the ones the code under test knows about.
 */
public final class ListeningSockets {
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /** Every listening TCP socket of this process, with its local address. */
  static List<InetSocketAddress> ofThisProcess() throws IOException {
    return of("self");
  }

  /** Every listening TCP socket of process {@code pid} (one of this user's), with its address. */
  public static List<InetSocketAddress> ofProcess(long pid) throws IOException {
    return of(Long.toString(pid));
  }

  private static List<InetSocketAddress> of(String process) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", process, "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException e) {
          // The descriptor closed while we listed them.
        }
      }
    }
    List<InetSocketAddress> listening = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      // Read once: the table changes between two reads while other processes open sockets.
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f[3].equals(LISTEN) && inodes.contains(f[9])) {
          listening.add(address(f[1]));
        }
      }
    }
    return listening;
  }

  /** {@code 0100007F:1F90} (little-endian words, as /proc writes them) to 127.0.0.1:8080. */
  private static InetSocketAddress address(String hex) throws IOException {
    String[] parts = hex.split(":");
    byte[] raw = new BigInteger(parts[0], 16).toByteArray();
    byte[] fixed = new byte[parts[0].length() / 2];
    System.arraycopy(
        raw,
        Math.max(0, raw.length - fixed.length),
        fixed,
        Math.max(0, fixed.length - raw.length),
        Math.min(raw.length, fixed.length));
    byte[] ordered = new byte[fixed.length];
    for (int word = 0; word < fixed.length; word += 4) {
      for (int i = 0; i < 4; i++) {
        ordered[word + i] = fixed[word + 3 - i];
      }
    }
    return new InetSocketAddress(InetAddress.getByAddress(ordered), Integer.parseInt(parts[1], 16));
  }
}
