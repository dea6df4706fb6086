package io.citybrain.simulators;

import io.citybrain.seeds.Device;
import io.citybrain.seeds.DeviceClass;
import io.citybrain.seeds.DeviceKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The devices one run plays (selected districts, its shard), each with its own state. */
final class SimFleet {
  private final List<SimDevice> devices = new ArrayList<>();
  private final Map<String, SimDevice> actuators = new LinkedHashMap<>();

  /** Reports per second at realtime pace of the selected districts' devices in every shard. */
  private double allShardsRealtimeRate;

  SimFleet(SimConfig config) {
    List<Device> all = config.fleet().devices();
    for (int ordinal = 0; ordinal < all.size(); ordinal++) {
      Device device = all.get(ordinal);
      if (config.districts().isEmpty() || config.districts().contains(device.district())) {
        allShardsRealtimeRate += 1.0 / device.intervalS();
      }
      if (config.selects(device.district(), ordinal)) {
        DeviceKind kind = config.seeds().deviceKind(device.kind()).orElseThrow();
        SimDevice d = new SimDevice(device, kind, ordinal, config.seed());
        devices.add(d);
        if (kind.deviceClass() == DeviceClass.ACTUATOR) {
          actuators.put(device.id(), d);
        }
      }
    }
  }

  List<SimDevice> devices() {
    return devices;
  }

  Map<String, SimDevice> actuators() {
    return actuators;
  }

  /**
   * A fixed --rate is the total of all shards: each shard's speed comes from this, not from its own
   * devices.
   */
  double allShardsRealtimeRate() {
    return allShardsRealtimeRate;
  }
}
