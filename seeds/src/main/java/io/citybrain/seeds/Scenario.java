package io.citybrain.seeds;

import java.io.Serializable;
import java.util.List;

/**
 * A scripted city situation for the simulator: timed effects on readings, camera events and device
 * liveness.
 */
public record Scenario(String id, String nameEn, Integer durationS, List<Effect> effects)
    implements Serializable {

  public Scenario {
    effects = effects == null ? List.of() : List.copyOf(effects);
  }

  /**
   * One effect in one district, optionally limited to a circle: active from atS to untilS, ramping
   * in over rampS and back out over rampS after untilS. Exactly one of metric (with set or add),
   * camera (with share) or outage is set.
   */
  public record Effect(
      Integer atS,
      Integer untilS,
      String district,
      String metric,
      Double set,
      Double add,
      String camera,
      Double share,
      Double outage,
      Double rampS,
      Double lat,
      Double lon,
      Double radiusM)
      implements Serializable {

    /** Strength in [0, 1] at a time since the start of the run. */
    public double strength(double elapsedS) {
      double ramp = rampS == null || rampS <= 0 ? 0 : rampS;
      double end = untilS == null ? Double.MAX_VALUE : untilS;
      if (elapsedS < atS) {
        return 0;
      }
      if (elapsedS < end) {
        return ramp == 0 ? 1 : Math.min(1, (elapsedS - atS) / ramp);
      }
      return ramp == 0 ? 0 : Math.max(0, 1 - (elapsedS - end) / ramp);
    }

    /** True when the effect reaches a point (no circle: the whole district). */
    public boolean covers(String deviceDistrict, double deviceLat, double deviceLon) {
      if (!district.equals(deviceDistrict)) {
        return false;
      }
      if (radiusM == null) {
        return true;
      }
      double dy = (deviceLat - lat) * 110_574;
      double dx = (deviceLon - lon) * 111_320 * Math.cos(Math.toRadians(lat));
      return Math.hypot(dx, dy) <= radiusM;
    }
  }
}
