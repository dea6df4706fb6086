package io.citybrain.ingest.sink;

import java.util.Map;
import java.util.TreeMap;

/** What a write did, per district: rows stored, and rows that were already there (duplicates, replays). */
public final class WriteCounts {
  private final Map<String, long[]> byDistrict = new TreeMap<>();

  void add(String district, long stored, long duplicates) {
    long[] counts = byDistrict.computeIfAbsent(district, d -> new long[2]);
    counts[0] += stored;
    counts[1] += duplicates;
  }

  public long stored(String district) {
    return byDistrict.getOrDefault(district, new long[2])[0];
  }

  public long duplicates(String district) {
    return byDistrict.getOrDefault(district, new long[2])[1];
  }

  public long stored() {
    return byDistrict.values().stream().mapToLong(c -> c[0]).sum();
  }

  public long duplicates() {
    return byDistrict.values().stream().mapToLong(c -> c[1]).sum();
  }

  public Map<String, long[]> byDistrict() {
    return byDistrict;
  }
}
