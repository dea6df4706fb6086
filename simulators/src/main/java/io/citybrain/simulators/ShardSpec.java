package io.citybrain.simulators;

import io.citybrain.settings.Check;
import io.citybrain.settings.InvalidSettingException;

/**
 * Which part of the fleet one simulator process plays: shard {@code index} of {@code count}, by
 * device ordinal.
 */
public record ShardSpec(int index, int count) {
  public static final ShardSpec ALL = new ShardSpec(1, 1);

  private static final String PROBLEM = "must be i/n with 1 <= i <= n, was ";

  public ShardSpec {
    Check.require(
        count >= 1 && index >= 1 && index <= count, "shard", PROBLEM + index + "/" + count);
  }

  /** Parses {@code i/n}. */
  public static ShardSpec parse(String text) {
    String[] parts = text.trim().split("/");
    int index;
    int count;
    try {
      Check.require(parts.length == 2, "shard", PROBLEM + "'" + text + "'");
      index = Integer.parseInt(parts[0].trim());
      count = Integer.parseInt(parts[1].trim());
    } catch (NumberFormatException e) {
      throw new InvalidSettingException("shard", PROBLEM + "'" + text + "'");
    }
    return new ShardSpec(index, count);
  }

  /** True when the device at this position of the fleet belongs to this shard. */
  public boolean owns(int fleetOrdinal) {
    return fleetOrdinal % count == index - 1;
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}
