package io.citybrain.simulators;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Fleet;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.seeds.SeedSource;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Which city to load: seed files, fleet scale and fleet seed (shared by every subcommand that needs
 * the fleet).
 */
public final class FleetOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = {"--seeds", "--fleet"},
      paramLabel = "DIR",
      defaultValue = "${env:CITYBRAIN_SEEDS}",
      description =
          "Directory of seed files (city, fleet template) instead of the shipped Shenzhen data "
              + "(env CITYBRAIN_SEEDS).")
  Path seedsDirectory;

  private double scale = 1.0;

  @Option(
      names = "--fleet-seed",
      paramLabel = "N",
      defaultValue = "" + FleetExpander.DEFAULT_SEED,
      description =
          "Fleet seed: device positions derive from it; every process must use the same "
              + "(default: ${DEFAULT-VALUE}).")
  long fleetSeed;

  @Option(
      names = "--scale",
      paramLabel = "X",
      defaultValue = "1",
      description =
          "Multiply every device count by X (5 gives 100,000+ devices; default: ${DEFAULT-VALUE}).")
  void scale(double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new ParameterException(
          spec.commandLine(), "--scale must be a positive number, was " + value);
    }
    this.scale = value;
  }

  public double scale() {
    return scale;
  }

  public SeedSource source() {
    return seedsDirectory == null ? SeedSource.classpath() : SeedSource.directory(seedsDirectory);
  }

  public CitySeeds load() {
    return SeedLoader.load(source());
  }

  public Fleet expand(CitySeeds seeds) {
    return FleetExpander.expand(seeds, scale, fleetSeed);
  }
}
