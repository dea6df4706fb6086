package io.citybrain.seeds;

import io.citybrain.settings.Check;
import io.citybrain.settings.InvalidSettingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Expands the fleet template into devices. Deterministic: the same seeds, scale and seed give the
 * same ids and positions in every process, because each device's position comes from a random
 * stream keyed by (seed, device id) and each district's hot spots from one keyed by (seed,
 * district, kind).
 */
public final class FleetExpander {
  /** The default fleet seed: the day Dapeng's district "smart brain" went live (2019-04-29). */
  public static final long DEFAULT_SEED = 20190429L;

  /**
   * 1,000 times the default city is 20 million devices: beyond that a run would only exhaust
   * memory.
   */
  public static final double MAX_SCALE = 1_000;

  private static final double KM_PER_DEGREE_LAT = 110.574;
  private static final double KM_PER_DEGREE_LON_AT_EQUATOR = 111.320;

  private FleetExpander() {}

  /** The default fleet: scale 1, the default seed. */
  public static Fleet expand(CitySeeds seeds) {
    return expand(seeds, 1.0, DEFAULT_SEED);
  }

  /** Every district's devices, each count multiplied by {@code scale} and rounded. */
  public static Fleet expand(CitySeeds seeds, double scale, long seed) {
    checkScale(scale);
    List<Device> devices = new ArrayList<>();
    for (District district : seeds.districts()) {
      for (DeviceKind kind : seeds.fleet().deviceKinds()) {
        int count = (int) Math.round(seeds.fleet().baseCount(district.code(), kind.id()) * scale);
        expandKind(district, kind, count, seed, devices);
      }
    }
    return new Fleet(devices, scale, seed);
  }

  /**
   * The scale, or an {@link InvalidSettingException} for the setting {@code scale}: positive, at
   * most {@link #MAX_SCALE}.
   */
  public static double checkScale(double scale) {
    Check.positive(scale, "scale");
    Check.require(scale <= MAX_SCALE, "scale", "must be at most " + MAX_SCALE + ", was " + scale);
    return scale;
  }

  private static void expandKind(
      District district, DeviceKind kind, int count, long seed, List<Device> into) {
    double[][] hotSpots =
        kind.placement() == Placement.CLUSTERED ? hotSpots(district, kind, seed) : new double[0][];
    for (int n = 1; n <= count; n++) {
      String id = String.format(Locale.ROOT, "%s-%s-%05d", district.code(), kind.code(), n);
      SplittableRandom random = new SplittableRandom(StableHash.derive(seed, id));
      double[] offset =
          switch (kind.placement()) {
            case UNIFORM -> uniformInDisc(random, district.radiusKm());
            case CENTRAL -> gaussian(random, 0, 0, district.radiusKm() / 3);
            case CLUSTERED -> {
              double[] spot = hotSpots[random.nextInt(hotSpots.length)];
              yield gaussian(random, spot[0], spot[1], district.radiusKm() / 12);
            }
          };
      String gateway =
          kind.gatewaySize() == null
              ? null
              : String.format(
                  Locale.ROOT, "%s-GW-%03d", district.code(), (n - 1) / kind.gatewaySize() + 1);
      into.add(
          new Device(
              id,
              district.code(),
              kind.id(),
              kind.deviceClass(),
              district.lat() + offset[1] / KM_PER_DEGREE_LAT,
              district.lon()
                  + offset[0]
                      / (KM_PER_DEGREE_LON_AT_EQUATOR * Math.cos(Math.toRadians(district.lat()))),
              kind.intervalS(),
              gateway));
    }
  }

  /** Hot spots (x, y offsets in km) of one kind in one district. */
  private static double[][] hotSpots(District district, DeviceKind kind, long seed) {
    SplittableRandom random =
        new SplittableRandom(StableHash.derive(seed, district.code() + "/" + kind.id() + "/spots"));
    double[][] spots = new double[kind.clusters()][];
    for (int i = 0; i < spots.length; i++) {
      spots[i] = uniformInDisc(random, district.radiusKm() * 0.8);
    }
    return spots;
  }

  private static double[] uniformInDisc(SplittableRandom random, double radiusKm) {
    double r = radiusKm * Math.sqrt(random.nextDouble());
    double angle = random.nextDouble() * 2 * Math.PI;
    return new double[] {r * Math.cos(angle), r * Math.sin(angle)};
  }

  private static double[] gaussian(SplittableRandom random, double x, double y, double sigmaKm) {
    return new double[] {x + sigmaKm * random.nextGaussian(), y + sigmaKm * random.nextGaussian()};
  }
}
