package io.citybrain.seeds;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The city's validated reference data, with lookups by id. */
public record CitySeeds(
    List<District> districts,
    List<Unit> units,
    List<MetricKind> metrics,
    List<Department> departments,
    List<GridCaseCategory> gridCaseCategories,
    List<CameraEventType> cameraEventTypes,
    FleetTemplate fleet,
    List<AlertRule> alertRules,
    List<IncidentPattern> incidentPatterns,
    List<ResponsePlan> responsePlans,
    SituationIndexSpec situationIndex,
    Escalation escalation)
    implements Serializable {

  public Optional<District> district(String code) {
    return districts.stream().filter(d -> d.code().equals(code)).findFirst();
  }

  public Optional<MetricKind> metric(String id) {
    return metrics.stream().filter(m -> m.id().equals(id)).findFirst();
  }

  public Optional<CameraEventType> cameraEventType(String id) {
    return cameraEventTypes.stream().filter(t -> t.id().equals(id)).findFirst();
  }

  public Optional<DeviceKind> deviceKind(String id) {
    return fleet.deviceKinds().stream().filter(k -> k.id().equals(id)).findFirst();
  }

  public Optional<ResponsePlan> responsePlan(String id) {
    return responsePlans.stream().filter(p -> p.id().equals(id)).findFirst();
  }

  /** Metric kinds by id, in file order. */
  public Map<String, MetricKind> metricsById() {
    return byId(metrics, MetricKind::id);
  }

  /** District codes in file order. */
  public List<String> districtCodes() {
    return districts.stream().map(District::code).toList();
  }

  static <T> Map<String, T> byId(List<T> items, Function<T, String> id) {
    Map<String, T> map = new LinkedHashMap<>();
    items.forEach(item -> map.put(id.apply(item), item));
    return map;
  }
}
