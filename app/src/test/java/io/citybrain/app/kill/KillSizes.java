package io.citybrain.app.kill;

/**
 * The kill suite's sizes, from system properties so that the soak script runs the long version of
 * the same tests: {@code citybrain.kill.readings}, {@code citybrain.kill.tm.kills}, {@code
 * citybrain.kill.speed}, {@code citybrain.kill.seed}.
 */
record KillSizes(long readings, int taskManagerKills, double speed, long seed) {
  /** CI's short version: the floor of 5 TaskManager kills over 200,000 readings. */
  static final long DEFAULT_READINGS = 200_000;

  static final int DEFAULT_TM_KILLS = 5;

  /**
   * Time-lapse of the simulated city: 10x publishes the city's ~376 msg/s at ~3,760 msg/s, so that
   * 200,000 readings take about 54 s of publishing, long enough for five kills and their
   * recoveries.
   */
  static final double DEFAULT_SPEED = 10;

  static final long DEFAULT_SEED = 14;

  static KillSizes fromSystemProperties() {
    return new KillSizes(
        positiveLong("citybrain.kill.readings", DEFAULT_READINGS),
        (int) positiveLong("citybrain.kill.tm.kills", DEFAULT_TM_KILLS),
        positiveDouble("citybrain.kill.speed", DEFAULT_SPEED),
        positiveLong("citybrain.kill.seed", DEFAULT_SEED));
  }

  private static long positiveLong(String name, long fallback) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.strip().replace("_", "").replace(",", ""));
      if (parsed > 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException(
        "-D" + name + " must be a positive whole number, was '" + value + "'");
  }

  private static double positiveDouble(String name, double fallback) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      double parsed = Double.parseDouble(value.strip());
      if (parsed > 0 && Double.isFinite(parsed)) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException(
        "-D" + name + " must be a positive number, was '" + value + "'");
  }
}
