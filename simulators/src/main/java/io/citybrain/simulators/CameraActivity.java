package io.citybrain.simulators;

import java.util.SplittableRandom;

/**
 * How often a camera's analytics report a detection, and of what, by hour and district; otherwise
 * it heartbeats.
 */
final class CameraActivity {
  private static final String[] TYPES = {
    "illegal_parking",
    "garbage_overflow",
    "street_vending",
    "crowd_gathering",
    "facility_damage",
    "traffic_accident",
    "smoke_fire"
  };

  private CameraActivity() {}

  /** The share of camera reports that are detections at this hour in this district. */
  static double detectionShare(double hour, String district) {
    double day = SignalModel.dayCurve(hour);
    // Dapeng's cameras watch scenic areas and beaches: busier on their own schedule, lighter on
    // parking.
    double district_factor = "DP".equals(district) ? 0.8 : 1.0;
    return (0.04 + 0.16 * day) * district_factor;
  }

  /**
   * A detection type, weighted by the hour: parking by day, vending and gatherings in the evening,
   * garbage mornings.
   */
  static String detectionType(double hour, SplittableRandom random) {
    double day = SignalModel.dayCurve(hour);
    double evening = SignalModel.eveningPeak(hour);
    double morning = Math.exp(-Math.pow(hour - 7, 2) / 4);
    double[] weights = {
      0.35 * day + 0.02, // illegal_parking
      0.10 + 0.25 * morning, // garbage_overflow
      0.05 + 0.30 * evening, // street_vending
      0.03 + 0.20 * evening, // crowd_gathering
      0.06, // facility_damage
      // Emergencies are not background noise: a city sees a few an hour, not one per hundred
      // detections, and each
      // one starts an incident pattern. They come from scenarios (fire, accidents), never from the
      // routine mix.
      0, // traffic_accident
      0 // smoke_fire
    };
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double pick = random.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      pick -= weights[i];
      if (pick < 0) {
        return TYPES[i];
      }
    }
    return TYPES[0];
  }

  /** How many objects a detection counts (cars, people, bins). */
  static int objectCount(String type, SplittableRandom random) {
    return switch (type) {
      case "crowd_gathering" -> 20 + random.nextInt(200);
      case "illegal_parking" -> 1 + random.nextInt(4);
      case "street_vending" -> 1 + random.nextInt(6);
      case "road_flooding", "smoke_fire", "facility_damage" -> 1;
      default -> 1 + random.nextInt(3);
    };
  }
}
