package io.citybrain.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.embedded.EmbeddedBroker;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker (the demo's, and the fallback on a bare machine) is a working MQTT 5 broker.
 */
class EmbeddedBrokerIT {

  @Test
  @DisplayName("embedded HiveMQ starts on a free port, delivers a QoS 1 message, and stops")
  void deliversAndStops() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      assertThat(broker.url()).startsWith("tcp://127.0.0.1:");
      assertThat(MqttRoundTrip.send(broker.url(), "city/v1/DP/reading/DP-AQ-00001", "35.5"))
          .isEqualTo("35.5");
    }
  }
}
