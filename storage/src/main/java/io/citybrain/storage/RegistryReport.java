package io.citybrain.storage;

import java.util.Map;

/**
 * What the registry holds after a sync, and how many device rows the sync inserted, updated and
 * deleted.
 */
public record RegistryReport(
    int districts,
    Map<String, Integer> devicesByDistrict,
    Map<String, Integer> camerasByDistrict,
    int devicesInserted,
    int devicesUpdated,
    int devicesDeleted) {

  public int devices() {
    return devicesByDistrict.values().stream().mapToInt(Integer::intValue).sum();
  }

  public int cameras(String district) {
    return camerasByDistrict.getOrDefault(district, 0);
  }
}
