package io.citybrain.embedded;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import io.citybrain.access.PrincipalDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An MQTT 5 broker in this JVM (HiveMQ Community Edition), on 127.0.0.1 and a free port. For the
 * demo and for tests on a machine with neither a configured broker nor Docker; never a benchmark
 * broker (QoS 1 runs at about 1,100 msg/s). It enforces what Mosquitto's shipped configuration
 * does: only a {@link PrincipalDirectory}'s principals log in, each within its topic rights.
 */
public final class EmbeddedBroker implements AutoCloseable {
  /**
   * Per-client queue for offline or slow persistent sessions; HiveMQ's default of 1,000 discards
   * too early.
   */
  static final int MAX_QUEUED_MESSAGES = 200_000;

  /** The largest MQTT packet accepted, the same bound Paho and Mosquitto set. */
  public static final int MAX_PACKET_SIZE = 262_144;

  /** Where the broker listens unless told otherwise: this machine only. */
  public static final String LOOPBACK = "127.0.0.1";

  private final EmbeddedHiveMQ hivemq;
  private final int port;
  private final String host;
  private final Path home;
  private final PrincipalDirectory directory;

  private EmbeddedBroker(
      EmbeddedHiveMQ hivemq, int port, String host, Path home, PrincipalDirectory directory) {
    this.hivemq = hivemq;
    this.port = port;
    this.host = host;
    this.home = home;
    this.directory = directory;
  }

  /**
   * Starts a broker on a free port with its data in a fresh temporary folder, letting in the
   * directory's principals only.
   */
  public static EmbeddedBroker start(PrincipalDirectory directory) {
    return start(directory, FreePort.find());
  }

  /** Starts a broker on the given port of the loopback interface; waits until it accepts. */
  public static EmbeddedBroker start(PrincipalDirectory directory, int port) {
    return start(directory, port, LOOPBACK);
  }

  /**
   * Starts a broker on the given port of {@code bindAddress} (an IP literal; 0.0.0.0 for every
   * interface); waits until it accepts connections.
   */
  public static EmbeddedBroker start(PrincipalDirectory directory, int port, String bindAddress) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Path home = null;
    EmbeddedHiveMQ started = null;
    try {
      home = Files.createTempDirectory("citybrain-hivemq-");
      Path config = Files.createDirectories(home.resolve("conf"));
      Files.writeString(
          config.resolve("config.xml"), configXml(port, bindAddress), StandardCharsets.UTF_8);
      EmbeddedHiveMQ hivemq =
          EmbeddedHiveMQ.builder()
              .withConfigurationFolder(config)
              .withDataFolder(Files.createDirectories(home.resolve("data")))
              .withExtensionsFolder(Files.createDirectories(home.resolve("extensions")))
              .withEmbeddedExtension(
                  EmbeddedExtension.builder()
                      .withId("citybrain-access")
                      .withName("CityBrain access control")
                      .withVersion("1")
                      .withAuthor("CityBrain")
                      .withPriority(1000)
                      .withStartPriority(1000)
                      .withExtensionMain(new AccessExtension(directory))
                      .build())
              // Log through the host application's slf4j binding instead of HiveMQ's own logback
              // set-up.
              .withoutLoggingBootstrap()
              .build();
      started = hivemq;
      hivemq.start().get(60, TimeUnit.SECONDS);
      // A wildcard listener is reached on loopback from here; a specific address only on itself.
      String host =
          bindAddress.equals("0.0.0.0") || bindAddress.equals("::") ? LOOPBACK : bindAddress;
      return new EmbeddedBroker(
          hivemq, port, host.contains(":") ? "[" + host + "]" : host, home, directory);
    } catch (IOException e) {
      TempFolders.deleteQuietly(home);
      throw new UncheckedIOException("cannot prepare the embedded MQTT broker's folders", e);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      stopQuietly(started);
      TempFolders.deleteQuietly(home);
      throw new IllegalStateException(
          "the embedded MQTT broker did not start on port " + port + ": " + e, e);
    }
  }

  private static void stopQuietly(EmbeddedHiveMQ hivemq) {
    if (hivemq == null) {
      return;
    }
    try {
      hivemq.stop().get(30, TimeUnit.SECONDS);
      hivemq.close();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The broker's URL for Paho, e.g. {@code tcp://127.0.0.1:41883}. */
  public String url() {
    return "tcp://" + host + ":" + port;
  }

  public int port() {
    return port;
  }

  /** Who may log in; a gateway or device added here may connect from now on. */
  public PrincipalDirectory directory() {
    return directory;
  }

  @Override
  public void close() {
    try {
      hivemq.stop().get(30, TimeUnit.SECONDS);
      hivemq.close();
    } catch (Exception e) {
      throw new IllegalStateException("the embedded MQTT broker did not stop cleanly", e);
    } finally {
      TempFolders.deleteQuietly(home);
    }
  }

  private static String configXml(int port, String bindAddress) {
    return """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            <tcp-listener>
              <port>%d</port>
              <bind-address>%s</bind-address>
            </tcp-listener>
          </listeners>
          <mqtt>
            <packets>
              <max-packet-size>%d</max-packet-size>
            </packets>
            <queued-messages>
              <max-queue-size>%d</max-queue-size>
              <strategy>discard</strategy>
            </queued-messages>
          </mqtt>
          <persistence>
            <mode>in-memory</mode>
          </persistence>
          <anonymous-usage-statistics>
            <enabled>false</enabled>
          </anonymous-usage-statistics>
        </hivemq>
        """
        .formatted(port, bindAddress, MAX_PACKET_SIZE, MAX_QUEUED_MESSAGES);
  }
}
