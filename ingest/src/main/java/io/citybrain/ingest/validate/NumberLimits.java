package io.citybrain.ingest.validate;

import com.google.protobuf.Message;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Heartbeat;

/**
 * The numbers a camera event or heartbeat may carry besides its identity: a confidence in [0, 1], a
 * position on the globe, a battery percentage (or -1 for mains power). A NaN or an infinity would
 * otherwise reach distances, maps and the wall.
 */
final class NumberLimits {
  private NumberLimits() {}

  /** What is out of bounds in {@code m} ("confidence NaN is outside 0..1"), or null. */
  static String problem(Message m) {
    if (m instanceof CameraEvent c) {
      if (!(c.getConfidence() >= 0 && c.getConfidence() <= 1)) {
        return "confidence " + c.getConfidence() + " is outside 0..1";
      }
      if (c.hasPosition()) {
        double lat = c.getPosition().getLat();
        double lon = c.getPosition().getLon();
        if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) {
          return "position " + lat + ", " + lon + " is not on the globe";
        }
      }
    }
    if (m instanceof Heartbeat h) {
      float battery = h.getBatteryPct();
      if (!(battery == -1 || (battery >= 0 && battery <= 100))) {
        return "battery " + battery + " % is outside 0..100 (or -1, mains)";
      }
    }
    return null;
  }
}
