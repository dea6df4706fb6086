package io.citybrain.ingest.validate;

import com.google.protobuf.Message;
import java.util.List;

/**
 * The outcome of one MQTT message: the readings, camera events and heartbeats it carries that passed, and a rejection
 * for each that did not (a gateway batch can have both).
 */
public record Validated(List<Accepted> accepted, List<Rejection> rejected) {

  /** One valid upstream message, with the district it counts for. */
  public record Accepted(String district, Message message) {
  }
}
