package io.citybrain.testkit;

import io.citybrain.access.BrokerTls;
import io.citybrain.access.DynamicSecurityFile;
import io.citybrain.access.Installation;
import io.citybrain.access.PrincipalDirectory;
import io.citybrain.access.Principals;
import io.citybrain.embedded.EmbeddedBroker;
import io.citybrain.embedded.TempFolders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The MQTT broker tests talk to: configured, a Mosquitto container with the project's config, or
 * embedded HiveMQ. Each knows how to make a principal exist on it ({@link #accounts}) and, where it
 * has one, its TLS listener.
 *
 * @param tlsUrl null when the broker has no TLS listener
 * @param caCertificate the CA that signed the TLS listener's certificate; null without one
 */
record MqttBroker(
    String url,
    String tlsUrl,
    Path caCertificate,
    String describe,
    BrokerAccounts accounts,
    Runnable onClose)
    implements AutoCloseable {

  /** A broker without TLS that knows every principal already. */
  MqttBroker(String url, String describe, Runnable onClose) {
    this(url, null, null, describe, BrokerAccounts.KNOWN, onClose);
  }

  @Override
  public void close() {
    try {
      accounts.close();
    } finally {
      onClose.run();
    }
  }

  /**
   * A broker named by configuration ({@link TestServiceSettings} checked its URL), provisioned with
   * {@code installation} (CI's: {@code citybrain provision}); gateways and devices are created on
   * it on demand.
   */
  static MqttBroker configured(
      String url, String tlsUrl, Path caCertificate, Installation installation) {
    return new MqttBroker(
        url,
        tlsUrl,
        caCertificate,
        "configured broker " + url + (tlsUrl == null ? "" : " (TLS " + tlsUrl + ")"),
        new DynamicSecurityAccounts(url, installation),
        () -> {});
  }

  /** An in-process HiveMQ that lets in the installation's services and the principals admitted. */
  static MqttBroker embedded(Installation installation) {
    EmbeddedBroker broker = EmbeddedBroker.start(new PrincipalDirectory(installation));
    return new MqttBroker(
        broker.url(),
        null,
        null,
        "embedded HiveMQ CE at " + broker.url(),
        principal -> {
          if (!principal.kind().service()) {
            broker.directory().add(principal);
          }
        },
        broker::close);
  }

  /**
   * The eclipse-mosquitto image with the shipped configuration and this installation's services and
   * TLS files mounted where it names them.
   */
  static MqttBroker container(Installation installation) {
    Path credentials;
    try {
      credentials = Files.createTempDirectory("citybrain-mosquitto-credentials-");
      DynamicSecurityFile.write(
          credentials.resolve(DynamicSecurityFile.NAME), Principals.services(), installation);
      BrokerTls.write(installation.folder(), credentials, BrokerTls.DEFAULT_NAMES);
      // The image's broker runs as its own user: it must read the files and rewrite the JSON.
      for (Path f : Files.list(credentials).toList()) {
        f.toFile().setReadable(true, false);
        f.toFile().setWritable(true, false);
      }
      credentials.toFile().setWritable(true, false);
      credentials.toFile().setExecutable(true, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the Mosquitto container's credentials", e);
    }
    GenericContainer<?> mosquitto =
        new GenericContainer<>(DockerImageName.parse("eclipse-mosquitto:2.0.20"))
            .withCopyFileToContainer(
                MountableFile.forClasspathResource("mosquitto/mosquitto.conf"),
                "/mosquitto/config/mosquitto.conf")
            .withFileSystemBind(
                credentials.toString(), "/mosquitto/credentials", BindMode.READ_WRITE)
            .withExposedPorts(1883, 8883);
    mosquitto.start();
    String url = "tcp://" + mosquitto.getHost() + ":" + mosquitto.getMappedPort(1883);
    String tlsUrl = "ssl://" + mosquitto.getHost() + ":" + mosquitto.getMappedPort(8883);
    return new MqttBroker(
        url,
        tlsUrl,
        credentials.resolve(BrokerTls.CA_CERT),
        "Mosquitto container at " + url,
        new DynamicSecurityAccounts(url, installation),
        () -> {
          mosquitto.stop();
          TempFolders.deleteQuietly(credentials);
        });
  }

  static MqttBroker localMosquitto(Path binary, Installation installation) {
    LocalMosquitto broker = LocalMosquitto.start(binary, installation);
    return new MqttBroker(
        broker.url(),
        broker.tlsUrl(),
        broker.caCertificate(),
        "local mosquitto (" + binary + ") at " + broker.url() + ", TLS " + broker.tlsUrl(),
        new DynamicSecurityAccounts(broker.url(), installation),
        broker::close);
  }
}
