package io.citybrain.seeds;

import java.io.Serializable;

/** A district of the city: code used in ids and topics, names, centroid, area and population. */
public record District(
    String code,
    String nameZh,
    String nameEn,
    Double lat,
    Double lon,
    Double areaKm2,
    Long population)
    implements Serializable {

  /** Radius of a disc with the district's area, in km: where its devices are placed. */
  public double radiusKm() {
    return Math.sqrt(areaKm2 / Math.PI);
  }
}
