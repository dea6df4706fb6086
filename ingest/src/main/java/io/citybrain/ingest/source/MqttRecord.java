package io.citybrain.ingest.source;

/**
 * What the source emits: one MQTT message. A Flink POJO (public fields, no-argument constructor),
 * so it crosses the network without Kryo.
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
}
