package io.citybrain.stream.situation;

/**
 * The city summary at the end of a 10 s window: headline figures and the full summary (protobuf
 * bytes).
 */
public class CityRecord {
  public long windowEndMs;
  public double situationIndex;
  public double onlineRate;

  /** A serialized {@code CitySummary}. */
  public byte[] summary;

  public CityRecord() {}
}
