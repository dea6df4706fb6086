package io.citybrain.simulators;

import java.util.Locale;

/** One MQTT publish the generator asks for, at a simulated time since the start of the run. */
record Outgoing(
    String topic, byte[] payload, long atMicros, MessageClass messageClass, int connectionKey) {

  /** What is being published, for the report. */
  enum MessageClass {
    READING,
    CAMERA,
    HEARTBEAT,
    BATCH;

    String topicSegment() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
