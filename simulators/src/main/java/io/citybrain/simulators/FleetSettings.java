package io.citybrain.simulators;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Fleet;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.seeds.SeedSource;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import java.util.Objects;

/**
 * Which city: the seed files, the fleet's scale and the fleet seed (device positions derive from
 * it; every process of one city must agree). Validated on creation ({@code scale must be a positive
 * number, was 0.0}).
 */
public record FleetSettings(SeedSource source, double scale, long fleetSeed) implements Described {
  public static final double DEFAULT_SCALE = 1.0;
  public static final long DEFAULT_FLEET_SEED = FleetExpander.DEFAULT_SEED;

  public FleetSettings {
    Objects.requireNonNull(source, "seed source");
    FleetExpander.checkScale(scale);
  }

  /** The shipped city at its default size. */
  public static FleetSettings shipped() {
    return new FleetSettings(SeedSource.classpath(), DEFAULT_SCALE, DEFAULT_FLEET_SEED);
  }

  /** Loads and validates the seed files; a bad file fails naming the file and the key. */
  public CitySeeds load() {
    return SeedLoader.load(source);
  }

  public Fleet expand(CitySeeds seeds) {
    return FleetExpander.expand(seeds, scale, fleetSeed);
  }

  @Override
  public Description describe() {
    return new Description("fleet")
        .add("seeds", source.describe())
        .add("scale", scale)
        .add("fleet seed", fleetSeed);
  }
}
