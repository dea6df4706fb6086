package io.citybrain.ingest.validate;

import com.google.protobuf.Message;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Reading;

/**
 * Text that PostgreSQL can store: payload strings with NUL characters are rejected, details are
 * cleaned.
 */
final class Text {
  private Text() {}

  static boolean hasNul(Message m) {
    if (m instanceof Reading r) {
      return nul(r.getDeviceId()) || nul(r.getMetric()) || nul(r.getDistrict());
    }
    if (m instanceof CameraEvent c) {
      return nul(c.getCameraId()) || nul(c.getEventType()) || nul(c.getDistrict());
    }
    Heartbeat h = (Heartbeat) m;
    return nul(h.getDeviceId()) || nul(h.getFirmware()) || nul(h.getDistrict());
  }

  /** A detail safe to store: NUL characters shown as \\0. */
  static String clean(String text) {
    return text == null ? null : text.replace("\u0000", "\\0");
  }

  private static boolean nul(String text) {
    return text.indexOf('\u0000') >= 0;
  }
}
