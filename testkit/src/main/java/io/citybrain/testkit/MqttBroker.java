package io.citybrain.testkit;

import io.citybrain.embedded.EmbeddedBroker;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/** The MQTT broker tests talk to: configured, a Mosquitto container with the project's config, or embedded HiveMQ. */
interface MqttBroker extends AutoCloseable {

  String url();

  String describe();

  @Override
  default void close() {
  }

  static MqttBroker configured(String url) {
    if (!url.matches("(tcp|ssl|ws|wss)://[^:/]+:\\d+")) {
      throw new IllegalStateException(TestSettings.MQTT_URL_ENV + " must look like tcp://host:port, was '" + url + "'");
    }
    return new MqttBroker() {
      @Override
      public String url() {
        return url;
      }

      @Override
      public String describe() {
        return "configured broker " + url;
      }
    };
  }

  static MqttBroker embedded() {
    EmbeddedBroker broker = EmbeddedBroker.start();
    return new MqttBroker() {
      @Override
      public String url() {
        return broker.url();
      }

      @Override
      public String describe() {
        return "embedded HiveMQ CE at " + broker.url();
      }

      @Override
      public void close() {
        broker.close();
      }
    };
  }

  static MqttBroker container() {
    GenericContainer<?> mosquitto = new GenericContainer<>(DockerImageName.parse("eclipse-mosquitto:2.0.20"))
        .withCopyFileToContainer(MountableFile.forClasspathResource("mosquitto/mosquitto.conf"),
            "/mosquitto/config/mosquitto.conf")
        .withExposedPorts(1883);
    mosquitto.start();
    String url = "tcp://" + mosquitto.getHost() + ":" + mosquitto.getMappedPort(1883);
    return new MqttBroker() {
      @Override
      public String url() {
        return url;
      }

      @Override
      public String describe() {
        return "Mosquitto container at " + url;
      }

      @Override
      public void close() {
        mosquitto.stop();
      }
    };
  }
}
