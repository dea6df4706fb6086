package io.citybrain.simulators;

import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which connections a run opens, whom each logs in as, and which connection carries each device's
 * messages, each gateway's batches and each actuator's commands. No connection mixes districts: a
 * gateway or device may publish only for its own ({@code TopicRights}). Pure: opening is {@link
 * SimConnections}'s.
 */
final class ConnectionPlan {
  /** One connection to open: its settings (client id, login) and the principal it plays. */
  record Planned(Principal principal, MqttSettings settings) {}

  private final SimConfig config;
  private final List<Planned> connections = new ArrayList<>();
  private final Map<Integer, Integer> byDevice = new HashMap<>();
  private final Map<String, Integer> byGateway = new HashMap<>();
  private final Map<String, Integer> commandFilters = new LinkedHashMap<>();

  ConnectionPlan(SimConfig config, SimFleet fleet) {
    this.config = config;
    // With no telemetry only the actuators connect.
    List<SimDevice> playing =
        config.telemetry() ? fleet.devices() : List.copyOf(fleet.actuators().values());
    boolean actuators = config.actuators().enabled() && !fleet.actuators().isEmpty();
    if (config.connectAs() == SimConfig.ConnectAs.DEVICES) {
      for (SimDevice d : playing) {
        byDevice.put(d.fleetOrdinal, add(d.device.id(), device(d)));
        if (actuators && fleet.actuators().containsKey(d.device.id())) {
          commandFilters.put(
              Topics.command(d.device.district(), d.device.id()), byDevice.get(d.fleetOrdinal));
        }
      }
    } else {
      Map<String, List<SimDevice>> byDistrict = new TreeMap<>();
      playing.forEach(
          d -> byDistrict.computeIfAbsent(d.device.district(), k -> new ArrayList<>()).add(d));
      byDistrict.forEach(
          (district, devices) -> {
            Principal gateway = Principal.districtGateway(district);
            int first = connections.size();
            for (int i = 0; i < config.connections(); i++) {
              add(district + "-" + i, gateway);
            }
            for (SimDevice d : devices) {
              byDevice.put(d.fleetOrdinal, first + d.fleetOrdinal % config.connections());
            }
            boolean hasActuator =
                devices.stream().anyMatch(d -> fleet.actuators().containsKey(d.device.id()));
            if (actuators && hasActuator) {
              commandFilters.put(Topics.filter(MessageClass.COMMAND, district), first);
            }
          });
    }
    // A video-analytics gateway's batch topic is its own: only its login may publish there.
    if (config.telemetry() && config.gatewayBatch() >= 2) {
      for (SimDevice d : playing) {
        String gatewayId = d.device.gatewayId();
        if (gatewayId != null && !byGateway.containsKey(gatewayId)) {
          byGateway.put(
              gatewayId, add(gatewayId, Principal.gateway(d.device.district(), gatewayId)));
        }
      }
    }
  }

  private static Principal device(SimDevice d) {
    return Principal.device(d.device.district(), d.device.id());
  }

  private int add(String name, Principal principal) {
    connections.add(new Planned(principal, config.connection(name, principal)));
    return connections.size() - 1;
  }

  /** Every connection, in the order their indexes name them. */
  List<Planned> connections() {
    return connections;
  }

  /**
   * The connection of a device's telemetry and acks: always the same one, so seqs stay in order.
   */
  int of(SimDevice device) {
    Integer index = byDevice.get(device.fleetOrdinal);
    if (index == null) {
      throw new IllegalStateException("device " + device.device.id() + " has no connection");
    }
    return index;
  }

  /** The connection of a message: its gateway's for a batch, else its device's. */
  int of(Outgoing message) {
    Integer index;
    if (message.messageClass() == MessageClass.BATCH) {
      String topic = message.topic();
      index = byGateway.get(topic.substring(topic.lastIndexOf('/') + 1));
    } else {
      index = byDevice.get(message.connectionKey());
    }
    if (index == null) {
      throw new IllegalStateException("no connection may publish " + message.topic());
    }
    return index;
  }

  /** Command filters the actuators subscribe to, each with the connection that may read it. */
  Map<String, Integer> commandFilters() {
    return commandFilters;
  }
}
