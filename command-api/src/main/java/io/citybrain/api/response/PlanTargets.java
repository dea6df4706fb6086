package io.citybrain.api.response;

import io.citybrain.seeds.Geo;
import io.citybrain.seeds.ResponsePlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Which device gets which command when a plan runs: every device of the kind, or those within the
 * plan's distance.
 */
public final class PlanTargets {
  private PlanTargets() {}

  /** An actuator of the registry. */
  public record Actuator(String deviceId, String kind, double lat, double lon) {}

  /** One command to one device. */
  public record Target(String deviceId, String kind, String action, Map<String, String> params) {}

  /**
   * The plan's targets among the district's actuators, ordered by plan line then device id; a
   * device named by two lines gets both commands.
   */
  public static List<Target> select(
      ResponsePlan plan, List<Actuator> actuators, double centerLat, double centerLon) {
    List<Target> targets = new ArrayList<>();
    List<Actuator> sorted =
        actuators.stream().sorted(Comparator.comparing(Actuator::deviceId)).toList();
    for (ResponsePlan.PlanCommand command : plan.commands()) {
      for (Actuator a : sorted) {
        if (!a.kind().equals(command.deviceKind())) {
          continue;
        }
        if (command.withinM() != null
            && Geo.distanceM(centerLat, centerLon, a.lat(), a.lon()) > command.withinM()) {
          continue;
        }
        targets.add(new Target(a.deviceId(), a.kind(), command.action(), command.params()));
      }
    }
    return targets;
  }
}
