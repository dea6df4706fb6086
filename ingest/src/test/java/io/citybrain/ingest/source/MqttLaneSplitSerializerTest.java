package io.citybrain.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Lanes in checkpoints: a round trip with the lane's event time, the first version still read, and
 * a version this build does not know refused.
 */
class MqttLaneSplitSerializerTest {
  private final MqttLaneSplitSerializer serializer = new MqttLaneSplitSerializer();

  @Test
  @DisplayName("a lane and its event time survive the round trip")
  void roundTrip() throws IOException {
    for (int lane : new int[] {0, 1, 63, Integer.MAX_VALUE}) {
      for (long time : new long[] {Long.MIN_VALUE, 0, 1_748_739_700_123L}) {
        byte[] bytes = serializer.serialize(new MqttLaneSplit(lane, time));
        assertThat(serializer.deserialize(serializer.getVersion(), bytes))
            .isEqualTo(new MqttLaneSplit(lane, time));
      }
    }
  }

  @Test
  @DisplayName("a version 1 lane (the number alone) restores as a lane without event time")
  void versionOne() throws IOException {
    byte[] old = ByteBuffer.allocate(4).putInt(7).array();
    assertThat(serializer.deserialize(1, old)).isEqualTo(new MqttLaneSplit(7, Long.MIN_VALUE));
  }

  @Test
  @DisplayName("another version is refused, naming both")
  void hardVersionCheck() {
    byte[] bytes = serializer.serialize(new MqttLaneSplit(3));
    assertThatThrownBy(() -> serializer.deserialize(serializer.getVersion() + 1, bytes))
        .isInstanceOf(IOException.class)
        .hasMessage("unknown MQTT lane split version 3 (this build reads 1 and 2)");
  }
}
