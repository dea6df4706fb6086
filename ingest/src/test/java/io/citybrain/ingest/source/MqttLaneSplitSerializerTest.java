package io.citybrain.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Lanes in checkpoints: a round trip, and a version this build does not know refused. */
class MqttLaneSplitSerializerTest {
  private final MqttLaneSplitSerializer serializer = new MqttLaneSplitSerializer();

  @Test
  @DisplayName("a lane survives the round trip")
  void roundTrip() throws IOException {
    for (int lane : new int[] {0, 1, 63, Integer.MAX_VALUE}) {
      byte[] bytes = serializer.serialize(new MqttLaneSplit(lane));
      assertThat(serializer.deserialize(serializer.getVersion(), bytes))
          .isEqualTo(new MqttLaneSplit(lane));
    }
  }

  @Test
  @DisplayName("another version is refused, naming both")
  void hardVersionCheck() {
    byte[] bytes = serializer.serialize(new MqttLaneSplit(3));
    assertThatThrownBy(() -> serializer.deserialize(serializer.getVersion() + 1, bytes))
        .isInstanceOf(IOException.class)
        .hasMessage("unknown MQTT lane split version 2 (this build reads 1)");
  }
}
