package io.citybrain.seeds;

/** How a device kind is spread over a district. */
public enum Placement {
  /** Evenly over the district's disc. */
  UNIFORM,
  /** Dense near the centroid, thinning outwards. */
  CENTRAL,
  /** Around a number of hot spots drawn per district. */
  CLUSTERED
}
