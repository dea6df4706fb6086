package io.citybrain.ingest.source;

/**
 * What the source emits: one MQTT message, or a lane's time marker. A Flink POJO (public fields,
 * no-argument constructor), so it crosses the network without Kryo.
 *
 * <p>A time marker (no topic, no payload) is emitted once per restored lane before anything else:
 * it carries the lane's checkpointed event time to the lane's watermark generator, which Flink does
 * not checkpoint. Consumers skip it ({@link #isLaneTime()}).
 */
public class MqttRecord {
  public String topic;
  public byte[] payload;

  /** The lane it came through. */
  public int lane;

  /** When the lane received it, epoch ms. */
  public long receivedAtMs;

  public MqttRecord() {}

  public MqttRecord(String topic, byte[] payload, int lane, long receivedAtMs) {
    this.topic = topic;
    this.payload = payload;
    this.lane = lane;
    this.receivedAtMs = receivedAtMs;
  }

  /** The marker that restores {@code lane}'s event time. */
  static MqttRecord laneTime(int lane, long receivedAtMs) {
    return new MqttRecord(null, null, lane, receivedAtMs);
  }

  /** True for a lane's time marker, which is not a message. */
  public boolean isLaneTime() {
    return topic == null && payload == null;
  }
}
