package io.citybrain.stream.incident;

/** Great-circle distance between two positions (haversine). */
final class GeoDistance {
  private static final double EARTH_RADIUS_M = 6_371_008.8;

  private GeoDistance() {}

  /** Metres between two points, or NaN when either position is unknown. */
  static double meters(double lat1, double lon1, double lat2, double lon2) {
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
