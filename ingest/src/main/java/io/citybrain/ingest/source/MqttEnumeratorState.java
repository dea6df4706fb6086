package io.citybrain.ingest.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** The enumerator's checkpoint: the lanes not assigned to any reader. */
public record MqttEnumeratorState(Set<Integer> unassigned) {

  /** Version 1: a count, then the lane numbers. */
  public static final class Serializer implements SimpleVersionedSerializer<MqttEnumeratorState> {
    static final int VERSION = 1;

    @Override
    public int getVersion() {
      return VERSION;
    }

    @Override
    public byte[] serialize(MqttEnumeratorState state) {
      ByteBuffer buffer =
          ByteBuffer.allocate(4 + 4 * state.unassigned().size()).putInt(state.unassigned().size());
      state.unassigned().forEach(buffer::putInt);
      return buffer.array();
    }

    @Override
    public MqttEnumeratorState deserialize(int version, byte[] bytes) throws IOException {
      if (version != VERSION) {
        throw new IOException(
            "unknown MQTT enumerator state version "
                + version
                + " (this build reads "
                + VERSION
                + ")");
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      Set<Integer> lanes = new TreeSet<>();
      for (int n = buffer.getInt(); n > 0; n--) {
        lanes.add(buffer.getInt());
      }
      return new MqttEnumeratorState(lanes);
    }
  }
}
