package io.citybrain.testkit;

import io.citybrain.embedded.EmbeddedBroker;
import java.nio.file.Path;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The MQTT broker tests talk to: configured, a Mosquitto container with the project's config, or
 * embedded HiveMQ.
 */
record MqttBroker(String url, String describe, Runnable onClose) implements AutoCloseable {

  @Override
  public void close() {
    onClose.run();
  }

  /** A broker named by configuration ({@link TestServiceSettings} checked its URL). */
  static MqttBroker configured(String url) {
    return new MqttBroker(url, "configured broker " + url, () -> {});
  }

  static MqttBroker embedded() {
    EmbeddedBroker broker = EmbeddedBroker.start();
    return new MqttBroker(broker.url(), "embedded HiveMQ CE at " + broker.url(), broker::close);
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
