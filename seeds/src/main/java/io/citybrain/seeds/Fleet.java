package io.citybrain.seeds;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The expanded device fleet, in a stable order (district, then kind, then number), with the options
 * that made it.
 */
public record Fleet(List<Device> devices, double scale, long seed) implements Serializable {

  public Fleet {
    devices = List.copyOf(devices);
  }

  public int size() {
    return devices.size();
  }

  /** Device count per district code. */
  public Map<String, Long> countByDistrict() {
    return devices.stream()
        .collect(Collectors.groupingBy(Device::district, TreeMap::new, Collectors.counting()));
  }

  /** Device count of one kind in one district. */
  public long count(String district, String kind) {
    return devices.stream()
        .filter(d -> d.district().equals(district) && d.kind().equals(kind))
        .count();
  }

  /** Device count per class. */
  public Map<DeviceClass, Long> countByClass() {
    return devices.stream()
        .collect(Collectors.groupingBy(Device::deviceClass, TreeMap::new, Collectors.counting()));
  }
}
