package io.citybrain.ingest.validate;

import java.util.Locale;
import java.util.Optional;

/** An upstream topic, {@code city/v1/{district}/{class}/{id}}, taken apart. */
public record Topic(String district, MessageClass messageClass, String sourceId) {

  /** What a topic's class segment promises the payload is. */
  public enum MessageClass {
    READING,
    CAMERA,
    HEARTBEAT,
    BATCH
  }

  /** The parts of an upstream topic, or empty when it is not one. */
  public static Optional<Topic> parse(String topic) {
    String[] parts = topic.split("/", -1);
    if (parts.length != 5
        || !parts[0].equals("city")
        || !parts[1].equals("v1")
        || parts[2].isEmpty()
        || parts[4].isEmpty()) {
      return Optional.empty();
    }
    MessageClass messageClass;
    try {
      messageClass = MessageClass.valueOf(parts[3].toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.of(new Topic(parts[2], messageClass, parts[4]));
  }
}
