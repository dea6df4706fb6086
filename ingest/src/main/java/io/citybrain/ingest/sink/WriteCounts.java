package io.citybrain.ingest.sink;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a write did, per district: rows stored on time, rows stored late (left out of aggregates),
 * and rows that were already there (duplicates, replays).
 */
public final class WriteCounts {
  private final Map<String, long[]> byDistrict = new TreeMap<>();

  void add(String district, long stored, long late, long duplicates) {
    long[] counts = byDistrict.computeIfAbsent(district, d -> new long[3]);
    counts[0] += stored;
    counts[1] += duplicates;
    counts[2] += late;
  }

  public long stored(String district) {
    return byDistrict.getOrDefault(district, new long[3])[0];
  }

  public long duplicates(String district) {
    return byDistrict.getOrDefault(district, new long[3])[1];
  }

  public long late(String district) {
    return byDistrict.getOrDefault(district, new long[3])[2];
  }

  public long late() {
    return byDistrict.values().stream().mapToLong(c -> c[2]).sum();
  }

  public long stored() {
    return byDistrict.values().stream().mapToLong(c -> c[0]).sum();
  }

  public long duplicates() {
    return byDistrict.values().stream().mapToLong(c -> c[1]).sum();
  }

  /** District to {stored, duplicates, late}. */
  public Map<String, long[]> byDistrict() {
    return byDistrict;
  }
}
