package io.citybrain.stream.incident;

import java.util.Objects;

/** One matched signal of an incident, as the wall and the incident table show it. A Flink POJO. */
public class EvidenceItem {
  /** Null for alerts. */
  public String deviceId;

  public long seq;
  public long timeMs;

  /** alert, camera or reading. */
  public String kind;

  /** The alert's rule id, the camera event type or the metric. */
  public String what;

  public double value;
  public double lat = Double.NaN;
  public double lon = Double.NaN;

  public EvidenceItem() {}

  static EvidenceItem of(Signal s) {
    EvidenceItem e = new EvidenceItem();
    e.deviceId = s.deviceId;
    e.seq = s.seq;
    e.timeMs = s.timeMs;
    e.kind = s.kind == Signal.ALERT ? "alert" : s.kind == Signal.CAMERA ? "camera" : "reading";
    e.what = s.name;
    e.value = s.value;
    e.lat = s.lat;
    e.lon = s.lon;
    return e;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EvidenceItem e
        && Objects.equals(deviceId, e.deviceId)
        && seq == e.seq
        && timeMs == e.timeMs
        && Objects.equals(kind, e.kind)
        && Objects.equals(what, e.what)
        && Double.compare(value, e.value) == 0
        && Double.compare(lat, e.lat) == 0
        && Double.compare(lon, e.lon) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(deviceId, seq, timeMs, kind, what, value, lat, lon);
  }

  @Override
  public String toString() {
    return kind
        + " "
        + what
        + "@"
        + timeMs
        + (deviceId != null ? " " + deviceId + "#" + seq : "")
        + " ="
        + value;
  }
}
