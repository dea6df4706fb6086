package io.citybrain.simulators;

import io.citybrain.seeds.StableHash;
import java.util.SplittableRandom;

/**
 * What a sensor would read: a per-metric baseline with a diurnal cycle (traffic peaks at 8 and 18
 * h, night noise dip), a district-wide component shared by neighbouring sensors (smooth noise over
 * 5 min knots), and per-device noise.
 */
final class SignalModel {
  private final long seed;

  SignalModel(long seed) {
    this.seed = seed;
  }

  /**
   * A reading of {@code metric} in {@code district} at simulated hour-of-day {@code hour} and run
   * time {@code elapsedS}.
   */
  double value(
      String metric, String district, double hour, double elapsedS, SplittableRandom device) {
    double rush = rushHour(hour);
    double day = dayCurve(hour);
    double shared = districtNoise(metric, district, elapsedS);
    return switch (metric) {
      case "pm25" -> Math.max(3, 28 + 18 * rush + 10 * shared + 4 * device.nextGaussian());
      case "noise_db" -> 46 + 16 * day + 6 * rush + 3 * shared + 3 * device.nextGaussian();
      case "water_level_pct" -> 42 + 3 * shared + device.nextDouble() * 2;
      case "rainfall_mm_h" -> Math.max(0, -1.5 + 1.5 * shared + device.nextGaussian());
      case "temperature_c" ->
          23 + 5 * Math.sin((hour - 8) / 24 * 2 * Math.PI) + shared + 0.4 * device.nextGaussian();
      case "traffic_flow" ->
          Math.max(0, 250 + 900 * day + 900 * rush + 120 * shared + 80 * device.nextGaussian());
      case "traffic_speed" ->
          Math.max(3, 58 - 10 * day - 24 * rush + 3 * shared + 4 * device.nextGaussian());
      case "crowd_density" ->
          Math.max(
              0,
              0.2
                  + 0.6 * day
                  + 0.8 * eveningPeak(hour)
                  + 0.1 * shared
                  + 0.08 * device.nextGaussian());
      default -> 10 * device.nextDouble();
    };
  }

  /** 0 at night, 1 at the 8 h and 18 h rush hours. */
  static double rushHour(double hour) {
    return Math.max(gauss(hour, 8, 1.2), gauss(hour, 18, 1.5));
  }

  /** 0 in the small hours (2-5 h), 1 in the afternoon. */
  static double dayCurve(double hour) {
    return 0.5 - 0.5 * Math.cos((hour - 3.5) / 24 * 2 * Math.PI);
  }

  static double eveningPeak(double hour) {
    return gauss(hour, 20, 1.5);
  }

  private static double gauss(double hour, double centre, double width) {
    double d = Math.abs(hour - centre);
    d = Math.min(d, 24 - d);
    return Math.exp(-d * d / (2 * width * width));
  }

  /**
   * Smooth noise in about [-1, 1], the same for every sensor of one metric in one district at one
   * time.
   */
  double districtNoise(String metric, String district, double elapsedS) {
    double knot = elapsedS / 300;
    long k = (long) Math.floor(knot);
    double t = knot - k;
    double a = StableHash.uniform(seed, district + "/" + metric + "/" + k) * 2 - 1;
    double b = StableHash.uniform(seed, district + "/" + metric + "/" + (k + 1)) * 2 - 1;
    double smooth = t * t * (3 - 2 * t);
    return a + (b - a) * smooth;
  }
}
