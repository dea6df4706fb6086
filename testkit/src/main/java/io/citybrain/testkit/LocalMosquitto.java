package io.citybrain.testkit;

import static org.awaitility.Awaitility.await;

import io.citybrain.access.BrokerTls;
import io.citybrain.access.DynamicSecurityFile;
import io.citybrain.access.Installation;
import io.citybrain.access.Principals;
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
 * project's configuration (persistence in a temporary folder), enforcing: the dynamic-security
 * plugin with the installation's services, and TLS on a second free port. Preferred over embedded
 * HiveMQ, whose one-unacknowledged-message window per queue the at-least-once source cannot work
 * with.
 */
final class LocalMosquitto implements AutoCloseable {
  private static final List<String> CANDIDATES =
      List.of(
          "/usr/sbin/mosquitto",
          "/usr/local/sbin/mosquitto",
          "/usr/bin/mosquitto",
          "/opt/homebrew/sbin/mosquitto",
          "/usr/local/opt/mosquitto/sbin/mosquitto");

  /** Where distributions put the dynamic-security plugin. */
  private static final List<String> PLUGINS =
      List.of(
          "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
          "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
          "/usr/lib/mosquitto_dynamic_security.so",
          "/usr/local/lib/mosquitto_dynamic_security.so",
          "/opt/homebrew/lib/mosquitto_dynamic_security.so",
          "/usr/local/opt/mosquitto/lib/mosquitto_dynamic_security.so");

  /** System property replacing lines of the shipped configuration, for benchmarks only. */
  static final String OVERRIDE = "citybrain.test.mosquitto.override";

  private final Path binary;
  private final Path home;
  private final int port;
  private final int tlsPort;
  private final Path plugin;
  private Process process;

  private LocalMosquitto(Path binary, Path home, int port, int tlsPort, Path plugin) {
    this.binary = binary;
    this.home = home;
    this.port = port;
    this.tlsPort = tlsPort;
    this.plugin = plugin;
  }

  /** The installed binary, if any. */
  static Optional<Path> find() {
    return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
  }

  /** The installed dynamic-security plugin, if any. */
  static Optional<Path> plugin() {
    return PLUGINS.stream().map(Path::of).filter(Files::isRegularFile).findFirst();
  }

  /**
   * Starts a broker that knows this installation's services (gateways and devices are added on
   * demand, {@link DynamicSecurityAccounts}); fails with a clear message without the plugin.
   */
  static LocalMosquitto start(Path binary, Installation installation) {
    Path plugin =
        plugin()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "mosquitto is installed but its dynamic-security plugin is not (looked in "
                            + PLUGINS
                            + "); the test broker enforces logins and rights with it"));
    try {
      Path home = Files.createTempDirectory("citybrain-mosquitto-");
      int port = FreePort.find();
      int tlsPort = FreePort.find();
      while (tlsPort == port) {
        tlsPort = FreePort.find();
      }
      LocalMosquitto broker = new LocalMosquitto(binary, home, port, tlsPort, plugin);
      DynamicSecurityFile.write(
          home.resolve(DynamicSecurityFile.NAME), Principals.services(), installation);
      BrokerTls.write(installation.folder(), home, BrokerTls.DEFAULT_NAMES);
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

  /** The TLS listener; its certificate names localhost and 127.0.0.1. */
  String tlsUrl() {
    return "ssl://127.0.0.1:" + tlsPort;
  }

  /** The CA certificate that signed the TLS listener's. */
  Path caCertificate() {
    return home.resolve(BrokerTls.CA_CERT);
  }

  /**
   * Stops the broker cleanly (it saves its persistence) and starts it again on the same port and
   * data.
   */
  void restart() {
    stop();
    launch();
  }

  /**
   * {@code kill -9} of this broker's process (no save: what it holds in memory since its last
   * autosave is gone) and a start on the same port, configuration and persistence folder. Returns
   * the killed process id.
   */
  long killAndStart() {
    long pid = process.pid();
    // Process.destroyForcibly is SIGKILL on Unix: the broker gets no chance to write its state.
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("mosquitto " + pid + " survived SIGKILL for 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing mosquitto " + pid, e);
    }
    launch();
    return pid;
  }

  /** The running broker's process id. */
  long pid() {
    return process.pid();
  }

  /** The broker's configuration file, as it runs (the project's with this broker's paths). */
  Path configFile() {
    return home.resolve("mosquitto.conf");
  }

  private void launch() {
    try {
      process =
          new ProcessBuilder(binary.toString(), "-c", home.resolve("mosquitto.conf").toString())
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(home.resolve("mosquitto.log").toFile()))
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
   * The project's configuration with this broker's ports, plugin, credential files, data folder and
   * log, as .ci/run derives its own.
   */
  private String config() throws IOException {
    String base;
    try (InputStream in = LocalMosquitto.class.getResourceAsStream("/mosquitto/mosquitto.conf")) {
      base = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    StringBuilder out = new StringBuilder();
    for (String line : base.split("\n")) {
      if (line.startsWith("listener 1883")) {
        out.append("listener ").append(port).append(" 127.0.0.1\n");
      } else if (line.startsWith("listener 8883")) {
        out.append("listener ").append(tlsPort).append(" 127.0.0.1\n");
      } else if (line.startsWith("plugin ")) {
        out.append("plugin ").append(plugin).append('\n');
      } else if (line.startsWith("plugin_opt_config_file ")) {
        out.append("plugin_opt_config_file ")
            .append(home.resolve(DynamicSecurityFile.NAME))
            .append('\n');
      } else if (line.matches("(cafile|certfile|keyfile) .*")) {
        String key = line.substring(0, line.indexOf(' '));
        String file = line.substring(line.lastIndexOf('/') + 1);
        out.append(key).append(' ').append(home.resolve(file)).append('\n');
      } else if (line.startsWith("persistence_location ")) {
        out.append("persistence_location ").append(home).append("/\n");
      } else if (override(line) != null) {
        out.append(override(line)).append('\n');
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

  /**
   * The line that replaces {@code line} from the system property {@value #OVERRIDE} ("key value"
   * pairs separated by ';', e.g. {@code autosave_on_changes false;autosave_interval 1}), so that a
   * benchmark can measure another setting of the shipped file; null when it names no such key.
   */
  private static String override(String line) {
    String given = System.getProperty(OVERRIDE, "");
    for (String pair : given.split(";")) {
      String trimmed = pair.trim();
      int space = trimmed.indexOf(' ');
      if (space > 0 && line.startsWith(trimmed.substring(0, space + 1))) {
        return trimmed;
      }
    }
    return null;
  }

  @Override
  public void close() {
    stop();
    TempFolders.deleteQuietly(home);
  }
}
