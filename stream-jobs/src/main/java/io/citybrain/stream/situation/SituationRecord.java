package io.citybrain.stream.situation;

/**
 * One district's picture at the end of a 10 s window: the headline figures and the full snapshot
 * (protobuf bytes).
 */
public class SituationRecord {
  public String district;
  public long windowStartMs;
  public long windowEndMs;
  public double situationIndex;
  public int devicesOnline;
  public int devicesTotal;
  public double onlineRate;
  public int openAlerts;
  public int openIncidents;

  /** A serialized {@code DistrictSnapshot}. */
  public byte[] snapshot;

  public SituationRecord() {}
}
