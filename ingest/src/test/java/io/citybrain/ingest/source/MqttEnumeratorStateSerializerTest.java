package io.citybrain.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The enumerator's checkpoint: a round trip, empty included, and a hard version check. */
class MqttEnumeratorStateSerializerTest {
  private final MqttEnumeratorState.Serializer serializer = new MqttEnumeratorState.Serializer();

  @Test
  @DisplayName("the unassigned lanes survive the round trip, none as well as many")
  void roundTrip() throws IOException {
    for (Set<Integer> lanes : Set.of(Set.<Integer>of(), Set.of(0), Set.of(1, 5, 9, 1_000))) {
      byte[] bytes = serializer.serialize(new MqttEnumeratorState(lanes));
      assertThat(serializer.deserialize(serializer.getVersion(), bytes).unassigned())
          .containsExactlyInAnyOrderElementsOf(lanes);
    }
  }

  @Test
  @DisplayName("another version is refused, naming both")
  void hardVersionCheck() {
    byte[] bytes = serializer.serialize(new MqttEnumeratorState(Set.of(1)));
    assertThatThrownBy(() -> serializer.deserialize(0, bytes))
        .isInstanceOf(IOException.class)
        .hasMessage("unknown MQTT enumerator state version 0 (this build reads 1)");
  }
}
