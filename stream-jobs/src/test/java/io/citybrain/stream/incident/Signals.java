package io.citybrain.stream.incident;

/** Test signals with explicit event times and positions. */
final class Signals {
  /** A point in DP (Dapeng) and offsets of about 100 m. */
  static final double LAT = 22.59;

  static final double LON = 114.48;
  static final double DEG_PER_100M = 100 / 111_195.0;

  private Signals() {}

  static Signal alert(String district, long timeMs, String rule, String alertId) {
    return Signal.alert(district, timeMs, rule, alertId, 1.0);
  }

  static Signal camera(
      String district,
      long timeMs,
      String type,
      String deviceId,
      long seq,
      double lat,
      double lon) {
    Signal s = new Signal();
    s.kind = Signal.CAMERA;
    s.district = district;
    s.timeMs = timeMs;
    s.name = type;
    s.deviceId = deviceId;
    s.seq = seq;
    s.value = 0.9;
    s.lat = lat;
    s.lon = lon;
    return s;
  }

  static Signal reading(
      String district,
      long timeMs,
      String metric,
      double value,
      String deviceId,
      long seq,
      double lat,
      double lon) {
    Signal s = camera(district, timeMs, metric, deviceId, seq, lat, lon);
    s.kind = Signal.READING;
    s.value = value;
    return s;
  }

  /** Latitude about {@code meters} north of {@link #LAT}. */
  static double north(double meters) {
    return LAT + meters / 100 * DEG_PER_100M;
  }
}
