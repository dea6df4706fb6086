package io.citybrain.seeds;

/**
 * Distances on the earth's surface, as the seeds' {@code within_m} bounds mean them: incident
 * patterns' steps and response plans' targets both measure with this one function.
 */
public final class Geo {
  /** The mean earth radius (IUGG). */
  private static final double EARTH_RADIUS_M = 6_371_008.8;

  private Geo() {}

  /** Great-circle distance in metres (haversine); NaN when a coordinate is NaN. */
  public static double distanceM(double lat1, double lon1, double lat2, double lon2) {
    double dLat = Math.toRadians(lat2 - lat1);
    double dLon = Math.toRadians(lon2 - lon1);
    double a =
        Math.sin(dLat / 2) * Math.sin(dLat / 2)
            + Math.cos(Math.toRadians(lat1))
                * Math.cos(Math.toRadians(lat2))
                * Math.sin(dLon / 2)
                * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
  }
}
