package io.citybrain.simulators;

import io.citybrain.settings.Check;
import io.citybrain.settings.InvalidSettingException;

/**
 * How fast to publish: every device at its own interval, a fixed total rate (of all shards
 * together: each shard publishes its share), or as fast as the broker takes it.
 */
public record Rate(Mode mode, double perSecond) {
  public static final Rate REALTIME = new Rate(Mode.REALTIME, 0);
  public static final Rate MAX = new Rate(Mode.MAX, 0);

  /** The three ways to pace a run. */
  public enum Mode {
    REALTIME,
    FIXED,
    MAX
  }

  private static final String PROBLEM =
      "must be a positive number of messages per second or 'max', was ";

  public Rate {
    Check.require(
        mode != Mode.FIXED || perSecond > 0 && Double.isFinite(perSecond),
        "rate",
        PROBLEM + perSecond);
  }

  /** Parses a rate as written: a positive number, or {@code max}. */
  public static Rate parse(String text) {
    if ("max".equalsIgnoreCase(text.trim())) {
      return MAX;
    }
    double perSecond;
    try {
      perSecond = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidSettingException("rate", PROBLEM + "'" + text + "'");
    }
    return new Rate(Mode.FIXED, perSecond);
  }

  @Override
  public String toString() {
    return switch (mode) {
      case REALTIME -> "realtime";
      case MAX -> "max";
      case FIXED -> String.format("%.0f/s", perSecond);
    };
  }
}
