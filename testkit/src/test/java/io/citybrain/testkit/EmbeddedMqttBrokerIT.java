package io.citybrain.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The testkit's embedded broker knows the installation's services and the principals ensured. */
class EmbeddedMqttBrokerIT {
  @TempDir Path dir;

  @Test
  @DisplayName("a device logs in to the embedded broker once ensured, never before")
  void ensurePrincipalRegistersOnDemand() throws Exception {
    Installation installation = Installation.generate(dir.resolve("credentials"));
    Principal device = Principal.device("FT", "FT-WL-0007");
    try (MqttBroker broker = MqttBroker.embedded(installation)) {
      assertThat(connects(broker.url(), Principal.JOB, installation.password(Principal.job())))
          .isTrue();
      assertThatThrownBy(() -> connects(broker.url(), device.name(), installation.password(device)))
          .isInstanceOf(MqttException.class)
          .extracting(e -> ((MqttException) e).getReasonCode())
          .isEqualTo(0x86);
      broker.accounts().admit(device);
      broker.accounts().admit(device);
      broker.accounts().admit(Principal.api());
      assertThat(connects(broker.url(), device.name(), installation.password(device))).isTrue();
    }
  }

  private static boolean connects(String url, String username, String password)
      throws MqttException {
    MqttClient client = new MqttClient(url, username + "-probe", new MemoryPersistence());
    try {
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setUserName(username);
      options.setPassword(password.getBytes(StandardCharsets.UTF_8));
      client.connect(options);
      boolean connected = client.isConnected();
      client.disconnect();
      return connected;
    } finally {
      client.close();
    }
  }
}
