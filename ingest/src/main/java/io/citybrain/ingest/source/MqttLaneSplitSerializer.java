package io.citybrain.ingest.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Lanes in checkpoints: version 1 is the lane number as four bytes. */
public final class MqttLaneSplitSerializer implements SimpleVersionedSerializer<MqttLaneSplit> {
  static final int VERSION = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(MqttLaneSplit split) {
    return ByteBuffer.allocate(4).putInt(split.lane()).array();
  }

  @Override
  public MqttLaneSplit deserialize(int version, byte[] bytes) throws IOException {
    if (version != VERSION) {
      throw new IOException(
          "unknown MQTT lane split version " + version + " (this build reads " + VERSION + ")");
    }
    return new MqttLaneSplit(ByteBuffer.wrap(bytes).getInt());
  }
}
