package io.citybrain.ingest.validate;

import com.google.protobuf.Message;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Reading;

/**
 * Text that PostgreSQL can store and the wall can show: payload strings with NUL characters or over
 * their length limit are rejected, details are cleaned.
 */
final class Text {
  /**
   * Ids and vocabulary words (device, camera, gateway, district, metric, event type): the seeds'
   * longest is under 30; the limit keeps window keys, rows and details small.
   */
  static final int MAX_ID = 64;

  /** Free text a device reports about itself (firmware). */
  static final int MAX_FREE_TEXT = 128;

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

  /** What is too long in {@code m} ("device_id is 70 characters, the limit is 64"), or null. */
  static String tooLong(Message m) {
    if (m instanceof Reading r) {
      return first(
          id("device_id", r.getDeviceId()),
          id("metric", r.getMetric()),
          id("district", r.getDistrict()));
    }
    if (m instanceof CameraEvent c) {
      return first(
          id("camera_id", c.getCameraId()),
          id("event_type", c.getEventType()),
          id("district", c.getDistrict()));
    }
    if (m instanceof GatewayBatch b) {
      return first(id("gateway_id", b.getGatewayId()), id("district", b.getDistrict()));
    }
    Heartbeat h = (Heartbeat) m;
    return first(
        id("device_id", h.getDeviceId()),
        id("district", h.getDistrict()),
        check("firmware", h.getFirmware(), MAX_FREE_TEXT));
  }

  /** What is too long in a topic's district or source id, or null. */
  static String tooLong(Topics.Address topic) {
    return first(id("district", topic.district()), id("id", topic.sourceId()));
  }

  /** A detail safe to store: NUL characters shown as \\0. */
  static String clean(String text) {
    return text == null ? null : text.replace("\u0000", "\\0");
  }

  private static boolean nul(String text) {
    return text.indexOf('\u0000') >= 0;
  }

  private static String id(String field, String value) {
    return check(field, value, MAX_ID);
  }

  private static String check(String field, String value, int limit) {
    return value.length() <= limit
        ? null
        : field + " is " + value.length() + " characters, the limit is " + limit;
  }

  private static String first(String... problems) {
    for (String p : problems) {
      if (p != null) {
        return p;
      }
    }
    return null;
  }
}
