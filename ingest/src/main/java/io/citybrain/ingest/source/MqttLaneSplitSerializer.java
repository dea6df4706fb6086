package io.citybrain.ingest.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Lanes in checkpoints: version 2 is the lane number (four bytes) and its event time (eight);
 * version 1, the lane number alone, still restores (as a lane without event time).
 */
public final class MqttLaneSplitSerializer implements SimpleVersionedSerializer<MqttLaneSplit> {
  static final int VERSION = 2;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(MqttLaneSplit split) {
    return ByteBuffer.allocate(12).putInt(split.lane()).putLong(split.eventTimeMs()).array();
  }

  @Override
  public MqttLaneSplit deserialize(int version, byte[] bytes) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    return switch (version) {
      case 1 -> new MqttLaneSplit(in.getInt());
      case 2 -> new MqttLaneSplit(in.getInt(), in.getLong());
      default ->
          throw new IOException(
              "unknown MQTT lane split version " + version + " (this build reads 1 and 2)");
    };
  }
}
