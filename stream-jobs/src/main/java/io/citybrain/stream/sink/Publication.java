package io.citybrain.stream.sink;

/** One MQTT message to publish: a live snapshot (retained), an alert or an incident. */
public class Publication {
  public String topic;
  public byte[] payload;
  public boolean retained;

  public Publication() {}

  public static Publication of(String topic, byte[] payload, boolean retained) {
    Publication p = new Publication();
    p.topic = topic;
    p.payload = payload;
    p.retained = retained;
    return p;
  }
}
