package io.citybrain.stream.incident;

import io.citybrain.ingest.validate.TelemetryItem;

/**
 * What the incident patterns see, in one district: an alert raised, a camera event, or a reading. A
 * Flink POJO; its event time is {@link #timeMs}.
 */
public class Signal {
  public static final byte ALERT = 0;
  public static final byte CAMERA = 1;
  public static final byte READING = 2;

  public byte kind;
  public String district;
  public long timeMs;

  /** The alert's rule id, the camera event's type, or the reading's metric. */
  public String name;

  /** Alerts: the alert id. */
  public String alertId;

  /** Camera events and readings: the device and its seq (the identity of the evidence). */
  public String deviceId;

  public long seq;

  /** Readings: the value; alerts: the value that raised it; camera events: the confidence. */
  public double value;

  /** Where: camera position or the device's registered position; NaN for alerts. */
  public double lat = Double.NaN;

  public double lon = Double.NaN;

  public Signal() {}

  public static Signal alert(
      String district, long timeMs, String ruleId, String alertId, double value) {
    Signal s = new Signal();
    s.kind = ALERT;
    s.district = district;
    s.timeMs = timeMs;
    s.name = ruleId;
    s.alertId = alertId;
    s.value = value;
    return s;
  }

  /** A camera event or reading as a signal. */
  public static Signal of(TelemetryItem item) {
    Signal s = new Signal();
    s.kind = item.isCamera() ? CAMERA : READING;
    s.district = item.district;
    s.timeMs = item.eventTimeMs;
    s.name = item.isCamera() ? item.eventType : item.metric;
    s.deviceId = item.deviceId;
    s.seq = item.seq;
    s.value = item.value;
    s.lat = item.lat;
    s.lon = item.lon;
    return s;
  }

  @Override
  public String toString() {
    return (kind == ALERT ? "alert " : kind == CAMERA ? "camera " : "reading ")
        + name
        + " "
        + district
        + "@"
        + timeMs
        + (deviceId != null ? " " + deviceId + "#" + seq : "");
  }
}
