package io.citybrain.simulators;

/**
 * Which part of the fleet one simulator process plays: shard {@code index} of {@code count}, by
 * device ordinal.
 */
public record ShardSpec(int index, int count) {
  public static final ShardSpec ALL = new ShardSpec(1, 1);

  public ShardSpec {
    if (count < 1 || index < 1 || index > count) {
      throw new IllegalArgumentException(
          "--shard must be i/n with 1 <= i <= n, was " + index + "/" + count);
    }
  }

  /** Parses {@code i/n}. */
  public static ShardSpec parse(String text) {
    String[] parts = text.trim().split("/");
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "--shard must be i/n with 1 <= i <= n, was '" + text + "'");
    }
    try {
      return new ShardSpec(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--shard must be i/n with 1 <= i <= n, was '" + text + "'", e);
    }
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
