package io.citybrain.access;

import io.citybrain.seeds.Device;
import io.citybrain.seeds.Fleet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The principals of a city: the four services, each district's IoT gateway, every video-analytics
 * gateway the fleet names, and every device, in that order.
 */
public final class Principals {
  private Principals() {}

  /** The services: API, stream job, observer, broker admin. */
  public static List<Principal> services() {
    return List.of(Principal.api(), Principal.job(), Principal.observer(), Principal.brokerAdmin());
  }

  /**
   * Every principal of the city; fails with an exact message on a device or gateway id that is not
   * a valid username, takes a service's name, or is taken twice.
   */
  public static List<Principal> of(Collection<String> districts, Fleet fleet) {
    Map<String, Principal> byName = new LinkedHashMap<>();
    services().forEach(p -> byName.put(p.name(), p));
    for (String d : districts) {
      add(byName, Principal.districtGateway(d), "district " + d);
    }
    for (Device device : fleet.devices()) {
      if (device.gatewayId() != null && !byName.containsKey(device.gatewayId())) {
        add(
            byName,
            principal(() -> Principal.gateway(device.district(), device.gatewayId()), device),
            "device " + device.id());
      }
    }
    for (Device device : fleet.devices()) {
      add(
          byName,
          principal(() -> Principal.device(device.district(), device.id()), device),
          "the fleet");
    }
    return List.copyOf(new ArrayList<>(byName.values()));
  }

  private static Principal principal(java.util.function.Supplier<Principal> make, Device device) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "device "
              + device.id()
              + " ("
              + device.district()
              + ") cannot be provisioned: "
              + e.getMessage(),
          e);
    }
  }

  private static void add(Map<String, Principal> byName, Principal p, String from) {
    Principal earlier = byName.putIfAbsent(p.name(), p);
    if (earlier != null) {
      throw new IllegalArgumentException(
          p
              + " (from "
              + from
              + ") takes the username of "
              + earlier
              + "; every principal's name must be unique");
    }
  }
}
