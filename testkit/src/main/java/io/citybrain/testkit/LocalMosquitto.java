package io.citybrain.testkit;

import static org.awaitility.Awaitility.await;

import io.citybrain.embedded.FreePort;
import io.citybrain.embedded.TempFolders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The machine's own {@code mosquitto} binary, started for this test JVM on a free port with the
 * project's configuration (persistence in a temporary folder). Preferred over embedded HiveMQ,
 * whose one-unacknowledged-message window per queue the at-least-once source cannot work with.
 */
final class LocalMosquitto implements AutoCloseable {
  private static final List<String> CANDIDATES =
      List.of(
          "/usr/sbin/mosquitto",
          "/usr/local/sbin/mosquitto",
          "/usr/bin/mosquitto",
          "/opt/homebrew/sbin/mosquitto",
          "/usr/local/opt/mosquitto/sbin/mosquitto");
  private final Path binary;
  private final Path home;
  private final int port;
  private Process process;

  private LocalMosquitto(Path binary, Path home, int port) {
    this.binary = binary;
    this.home = home;
    this.port = port;
  }

  /** The installed binary, if any. */
  static Optional<Path> find() {
    return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
  }

  static LocalMosquitto start(Path binary) {
    try {
      Path home = Files.createTempDirectory("citybrain-mosquitto-");
      int port = FreePort.find();
      LocalMosquitto broker = new LocalMosquitto(binary, home, port);
      Files.writeString(home.resolve("mosquitto.conf"), broker.config(), StandardCharsets.UTF_8);
      broker.launch();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the local mosquitto", e);
    }
  }

  String url() {
    return "tcp://127.0.0.1:" + port;
  }

  /**
   * Stops the broker cleanly (it saves its persistence) and starts it again on the same port and
   * data.
   */
  void restart() {
    stop();
    launch();
  }

  private void launch() {
    try {
      process =
          new ProcessBuilder(binary.toString(), "-c", home.resolve("mosquitto.conf").toString())
              .redirectErrorStream(true)
              .redirectOutput(home.resolve("mosquitto.log").toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
    try {
      await("mosquitto listening on port " + port)
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(this::listening);
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("mosquitto did not listen on port " + port + " within 10 s");
    }
  }

  /** True once the broker accepts connections; fails at once, with its log, when it exited. */
  private boolean listening() throws IOException {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "mosquitto exited: " + Files.readString(home.resolve("mosquitto.log")));
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The project's configuration with this broker's port, data folder and log, as .ci/run derives
   * its own.
   */
  private String config() throws IOException {
    String base;
    try (InputStream in = LocalMosquitto.class.getResourceAsStream("/mosquitto/mosquitto.conf")) {
      base = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    StringBuilder out = new StringBuilder();
    for (String line : base.split("\n")) {
      if (line.startsWith("listener ")) {
        out.append("listener ").append(port).append(" 127.0.0.1\n");
      } else if (line.startsWith("persistence_location ")) {
        out.append("persistence_location ").append(home).append("/\n");
      } else if (!line.startsWith("log_dest")) {
        out.append(line).append('\n');
      }
    }
    // As root mosquitto would switch to its own user, who cannot write this folder.
    if ("root".equals(System.getProperty("user.name"))) {
      out.append("user root\n");
    }
    return out.append("log_dest stdout\n").toString();
  }

  @Override
  public void close() {
    stop();
    TempFolders.deleteQuietly(home);
  }
}
