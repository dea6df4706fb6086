package io.citybrain.ingest.validate;

import java.io.Serializable;

/**
 * What the registry says of a device: where it is, what it sends (sensor, camera or actuator), how
 * often it reports, and where it stands (NaN when unknown).
 */
public record KnownDevice(
    String id, String district, String deviceClass, int intervalS, double lat, double lon)
    implements Serializable {

  /** A device known only by district and class. */
  public KnownDevice(String id, String district, String deviceClass) {
    this(id, district, deviceClass, 0, Double.NaN, Double.NaN);
  }
}
