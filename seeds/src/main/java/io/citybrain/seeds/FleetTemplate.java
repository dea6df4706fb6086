package io.citybrain.seeds;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/** The fleet template: device kinds, how many of each per district, and per-district exceptions. */
public record FleetTemplate(
    List<DeviceKind> deviceKinds, Map<String, Integer> defaultCounts, List<CountOverride> overrides)
    implements Serializable {

  /** How many devices of a kind a district has before scaling. */
  public int baseCount(String district, String kind) {
    for (CountOverride override : overrides) {
      if (override.district().equals(district) && override.kind().equals(kind)) {
        return override.count();
      }
    }
    return defaultCounts.getOrDefault(kind, 0);
  }

  /** A district's own count for one device kind. */
  public record CountOverride(String district, String kind, Integer count)
      implements Serializable {}
}
