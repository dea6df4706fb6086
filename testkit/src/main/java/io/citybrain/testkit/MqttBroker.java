package io.citybrain.testkit;

import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.access.PrincipalDirectory;
import io.citybrain.embedded.EmbeddedBroker;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The MQTT broker tests talk to: configured, a Mosquitto container with the project's config, or
 * embedded HiveMQ. {@link #ensurePrincipal} makes a gateway or device known to a broker that
 * enforces logins, before a test logs in as it.
 */
record MqttBroker(String url, String describe, Runnable onClose, Consumer<Principal> ensure)
    implements AutoCloseable {

  MqttBroker(String url, String describe, Runnable onClose) {
    this(url, describe, onClose, principal -> {});
  }

  /** Lets this principal log in from now on (services always may); harmless when it already can. */
  void ensurePrincipal(Principal principal) {
    ensure.accept(principal);
  }

  @Override
  public void close() {
    onClose.run();
  }

  /** A broker named by configuration ({@link TestServiceSettings} checked its URL). */
  static MqttBroker configured(String url) {
    return new MqttBroker(url, "configured broker " + url, () -> {});
  }

  /** An in-process HiveMQ that lets in the installation's services and the principals ensured. */
  static MqttBroker embedded(Installation installation) {
    EmbeddedBroker broker = EmbeddedBroker.start(new PrincipalDirectory(installation));
    return new MqttBroker(
        broker.url(),
        "embedded HiveMQ CE at " + broker.url(),
        broker::close,
        principal -> {
          if (!principal.kind().service()) {
            broker.directory().add(principal);
          }
        });
  }

  static MqttBroker container() {
    GenericContainer<?> mosquitto =
        new GenericContainer<>(DockerImageName.parse("eclipse-mosquitto:2.0.20"))
            .withCopyFileToContainer(
                MountableFile.forClasspathResource("mosquitto/mosquitto.conf"),
                "/mosquitto/config/mosquitto.conf")
            .withExposedPorts(1883);
    mosquitto.start();
    String url = "tcp://" + mosquitto.getHost() + ":" + mosquitto.getMappedPort(1883);
    return new MqttBroker(url, "Mosquitto container at " + url, mosquitto::stop);
  }

  static MqttBroker localMosquitto(Path binary) {
    LocalMosquitto broker = LocalMosquitto.start(binary);
    return new MqttBroker(
        broker.url(), "local mosquitto (" + binary + ") at " + broker.url(), broker::close);
  }
}
