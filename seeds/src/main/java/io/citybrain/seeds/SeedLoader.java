package io.citybrain.seeds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the seed files and validates them; bad data stops it with every problem named by file and
 * key.
 */
public final class SeedLoader {
  public static final String DISTRICTS = "districts.yaml";
  public static final String METRICS = "metrics.yaml";
  public static final String DEPARTMENTS = "departments.yaml";
  public static final String GRID_CASES = "grid-cases.yaml";
  public static final String CAMERA_EVENTS = "camera-events.yaml";
  public static final String FLEET = "fleet.yaml";
  public static final String ALERT_RULES = "alert-rules.yaml";
  public static final String INCIDENT_PATTERNS = "incident-patterns.yaml";
  public static final String RESPONSE_PLANS = "response-plans.yaml";
  public static final String SITUATION_INDEX = "situation-index.yaml";

  private SeedLoader() {}

  /** The seed files shipped with CityBrain. */
  public static CitySeeds load() {
    return load(SeedSource.classpath());
  }

  /** Loads and validates; throws {@link SeedException} listing every problem. */
  public static CitySeeds load(SeedSource source) {
    SeedProblems problems = new SeedProblems();
    SeedFileReader reader = new SeedFileReader(source, problems);

    JsonNode districts = reader.root(DISTRICTS);
    JsonNode metrics = reader.root(METRICS);
    JsonNode departments = reader.root(DEPARTMENTS);
    JsonNode grid = reader.root(GRID_CASES);
    JsonNode cameras = reader.root(CAMERA_EVENTS);
    JsonNode fleet = reader.root(FLEET);
    JsonNode rules = reader.root(ALERT_RULES);
    JsonNode patterns = reader.root(INCIDENT_PATTERNS);
    JsonNode plans = reader.root(RESPONSE_PLANS);
    JsonNode situation = reader.root(SITUATION_INDEX);
    reader.onlyKeys(DISTRICTS, districts, "districts");
    reader.onlyKeys(METRICS, metrics, "units", "metrics");
    reader.onlyKeys(DEPARTMENTS, departments, "departments");
    reader.onlyKeys(GRID_CASES, grid, "categories");
    reader.onlyKeys(CAMERA_EVENTS, cameras, "event_types");
    reader.onlyKeys(FLEET, fleet, "device_kinds", "default_counts", "overrides");
    reader.onlyKeys(ALERT_RULES, rules, "rules", "escalation");
    reader.onlyKeys(INCIDENT_PATTERNS, patterns, "patterns");
    reader.onlyKeys(RESPONSE_PLANS, plans, "plans");
    reader.onlyKeys(
        SITUATION_INDEX,
        situation,
        "sub_indices",
        "alert_penalty",
        "incident_penalty",
        "incident_active_minutes");
    CitySeeds seeds =
        new CitySeeds(
            reader.list(DISTRICTS, districts, "districts", District.class),
            reader.list(METRICS, metrics, "units", Unit.class),
            reader.list(METRICS, metrics, "metrics", MetricKind.class),
            reader.list(DEPARTMENTS, departments, "departments", Department.class),
            reader.list(GRID_CASES, grid, "categories", GridCaseCategory.class),
            reader.list(CAMERA_EVENTS, cameras, "event_types", CameraEventType.class),
            fleet(reader, fleet, problems),
            reader.list(ALERT_RULES, rules, "rules", AlertRule.class),
            reader.list(INCIDENT_PATTERNS, patterns, "patterns", IncidentPattern.class),
            reader.list(RESPONSE_PLANS, plans, "plans", ResponsePlan.class),
            reader.value(SITUATION_INDEX, situation, SituationIndexSpec.class),
            escalation(reader, rules, problems));
    problems.throwIfAny();

    new SeedValidator(seeds, problems).validate();
    problems.throwIfAny();
    return seeds;
  }

  /** The escalation block of alert-rules.yaml: required, since deadlines come from the seeds. */
  private static Escalation escalation(
      SeedFileReader reader, JsonNode rules, SeedProblems problems) {
    if (rules == null) {
      return null;
    }
    JsonNode node = rules.get("escalation");
    if (node == null || !node.isObject()) {
      problems.add(ALERT_RULES, "escalation", node == null ? "is required" : "must be a mapping");
      return null;
    }
    return reader.bind(ALERT_RULES, "escalation", node, Escalation.class);
  }

  private static FleetTemplate fleet(SeedFileReader reader, JsonNode root, SeedProblems problems) {
    List<DeviceKind> kinds = reader.list(FLEET, root, "device_kinds", DeviceKind.class);
    List<FleetTemplate.CountOverride> overrides =
        root != null && root.has("overrides")
            ? reader.list(FLEET, root, "overrides", FleetTemplate.CountOverride.class)
            : List.of();
    Map<String, Integer> counts = new LinkedHashMap<>();
    JsonNode defaults = root == null ? null : root.get("default_counts");
    if (root != null && (defaults == null || !defaults.isObject())) {
      problems.add(
          FLEET,
          "default_counts",
          defaults == null ? "is required" : "must be a mapping of kind to count");
    } else if (defaults != null) {
      ((ObjectNode) defaults)
          .properties()
          .forEach(
              entry -> {
                if (entry.getValue().canConvertToInt() && entry.getValue().isIntegralNumber()) {
                  counts.put(entry.getKey(), entry.getValue().intValue());
                } else {
                  problems.add(FLEET, "default_counts." + entry.getKey(), "must be a whole number");
                }
              });
    }
    return new FleetTemplate(kinds, counts, overrides);
  }
}
