package io.citybrain.simulators;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Fleet;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedSource;
import io.citybrain.settings.InvalidSettingException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The flags of {@link FleetSettings}: which city to load (seed files, fleet scale and fleet seed),
 * shared by every subcommand that needs the fleet.
 */
public final class FleetOptions {
  /** The flag of each fleet setting, for restating a setting's problem. */
  public static final Flags FLAGS =
      Flags.of("seeds", "--seeds", "scale", "--scale", "fleet seed", "--fleet-seed");

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

  private double scale = FleetSettings.DEFAULT_SCALE;

  @Option(
      names = "--fleet-seed",
      paramLabel = "N",
      defaultValue = "" + FleetSettings.DEFAULT_FLEET_SEED,
      description =
          "Fleet seed: device positions derive from it; every process must use the same "
              + "(default: ${DEFAULT-VALUE}).")
  long fleetSeed;

  @Option(
      names = "--scale",
      paramLabel = "X",
      defaultValue = "" + FleetSettings.DEFAULT_SCALE,
      description =
          "Multiply every device count by X (5 gives 100,000+ devices; default: ${DEFAULT-VALUE}).")
  void scale(double value) {
    // Checked as it is parsed, so that a bad scale stops a command before anything starts.
    try {
      this.scale = FleetExpander.checkScale(value);
    } catch (InvalidSettingException e) {
      throw FLAGS.restate(spec.commandLine(), e);
    }
  }

  public double scale() {
    return scale;
  }

  /** The seed files; fails (exit 1, not a flag error) when the directory does not exist. */
  public SeedSource source() {
    return seedsDirectory == null ? SeedSource.classpath() : SeedSource.directory(seedsDirectory);
  }

  /** The parsed flags as a validated value. */
  public FleetSettings settings() {
    return new FleetSettings(source(), scale, fleetSeed);
  }

  public CitySeeds load() {
    return settings().load();
  }

  public Fleet expand(CitySeeds seeds) {
    return settings().expand(seeds);
  }
}
