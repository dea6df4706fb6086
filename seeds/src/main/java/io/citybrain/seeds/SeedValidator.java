package io.citybrain.seeds;

import io.citybrain.proto.Severities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/** Checks the seed records for required values, duplicate ids and references between files. */
final class SeedValidator {
  /** Severity names, least to most urgent (they map to citybrain.v1.Severity). */
  static final List<String> SEVERITIES = Severities.WORDS;

  private static final Set<String> METRIC_CATEGORIES =
      Set.of("environment", "traffic", "safety", "infrastructure");

  private final CitySeeds seeds;
  private final SeedProblems problems;

  SeedValidator(CitySeeds seeds, SeedProblems problems) {
    this.seeds = seeds;
    this.problems = problems;
  }

  void validate() {
    districts();
    metrics();
    departmentsAndCases();
    cameraEvents();
    fleet();
    alertRules();
    responsePlans();
    incidentPatterns();
    situationIndex();
    escalation();
  }

  private void districts() {
    String f = SeedLoader.DISTRICTS;
    problems.requireUnique(f, "districts", ids(seeds.districts(), District::code));
    for (District d : seeds.districts()) {
      String key = "districts[" + d.code() + "]";
      if (problems.require(f, key + ".code", d.code()) && !d.code().matches("[A-Z]{2,4}")) {
        problems.add(
            f,
            key + ".code",
            "must be 2-4 upper-case letters (it appears in device ids and topics)");
      }
      problems.require(f, key + ".name_zh", d.nameZh());
      problems.require(f, key + ".name_en", d.nameEn());
      if (problems.require(f, key + ".lat", d.lat()) && (d.lat() < -90 || d.lat() > 90)) {
        problems.add(f, key + ".lat", "must be within -90..90, was " + d.lat());
      }
      if (problems.require(f, key + ".lon", d.lon()) && (d.lon() < -180 || d.lon() > 180)) {
        problems.add(f, key + ".lon", "must be within -180..180, was " + d.lon());
      }
      if (problems.require(f, key + ".area_km2", d.areaKm2()) && d.areaKm2() <= 0) {
        problems.add(f, key + ".area_km2", "must be positive, was " + d.areaKm2());
      }
      if (problems.require(f, key + ".population", d.population()) && d.population() < 0) {
        problems.add(f, key + ".population", "must not be negative");
      }
    }
  }

  private void metrics() {
    String f = SeedLoader.METRICS;
    problems.requireUnique(f, "units", ids(seeds.units(), Unit::id));
    problems.requireUnique(f, "metrics", ids(seeds.metrics(), MetricKind::id));
    List<String> units = ids(seeds.units(), Unit::id);
    seeds.units().forEach(u -> problems.require(f, "units[" + u.id() + "].id", u.id()));
    for (MetricKind m : seeds.metrics()) {
      String key = "metrics[" + m.id() + "]";
      id(f, key, m.id());
      if (problems.require(f, key + ".unit", m.unit())) {
        problems.requireKnown(f, key + ".unit", "unit", m.unit(), units);
      }
      boolean hasRange =
          problems.require(f, key + ".min", m.min()) & problems.require(f, key + ".max", m.max());
      if (hasRange && m.min() >= m.max()) {
        problems.add(f, key + ".max", "must be greater than min (" + m.min() + "), was " + m.max());
      }
      if (problems.require(f, key + ".category", m.category())) {
        problems.requireKnown(
            f, key + ".category", "metric category", m.category(), sorted(METRIC_CATEGORIES));
      }
    }
  }

  private void departmentsAndCases() {
    problems.requireUnique(
        SeedLoader.DEPARTMENTS, "departments", ids(seeds.departments(), Department::id));
    seeds
        .departments()
        .forEach(
            d -> {
              id(SeedLoader.DEPARTMENTS, "departments[" + d.id() + "]", d.id());
              problems.require(
                  SeedLoader.DEPARTMENTS, "departments[" + d.id() + "].name_en", d.nameEn());
            });
    String f = SeedLoader.GRID_CASES;
    problems.requireUnique(f, "categories", ids(seeds.gridCaseCategories(), GridCaseCategory::id));
    List<String> departments = ids(seeds.departments(), Department::id);
    List<String> allSubtypes = new ArrayList<>();
    for (GridCaseCategory c : seeds.gridCaseCategories()) {
      String key = "categories[" + c.id() + "]";
      id(f, key, c.id());
      if (c.subtypes().isEmpty()) {
        problems.add(f, key + ".subtypes", "needs at least one sub-type");
      }
      for (GridCaseCategory.Subtype s : c.subtypes()) {
        String sk = key + ".subtypes[" + s.id() + "]";
        id(f, sk, s.id());
        allSubtypes.add(s.id());
        if (problems.require(f, sk + ".department", s.department())) {
          problems.requireKnown(f, sk + ".department", "department", s.department(), departments);
        }
        if (problems.require(f, sk + ".sla_hours", s.slaHours()) && s.slaHours() <= 0) {
          problems.add(f, sk + ".sla_hours", "must be positive, was " + s.slaHours());
        }
      }
    }
    problems.requireUnique(f, "categories[*].subtypes", allSubtypes);
  }

  private void cameraEvents() {
    String f = SeedLoader.CAMERA_EVENTS;
    problems.requireUnique(f, "event_types", ids(seeds.cameraEventTypes(), CameraEventType::id));
    List<String> subtypes = new ArrayList<>();
    seeds
        .gridCaseCategories()
        .forEach(c -> c.subtypes().forEach(s -> subtypes.add(c.id() + "/" + s.id())));
    for (CameraEventType t : seeds.cameraEventTypes()) {
      String key = "event_types[" + t.id() + "]";
      id(f, key, t.id());
      if (problems.require(f, key + ".grid_case", t.gridCase())) {
        problems.requireKnown(
            f, key + ".grid_case", "grid-case category/sub-type", t.gridCase(), subtypes);
      }
      problems.require(f, key + ".creates_case", t.createsCase());
    }
  }

  private void fleet() {
    String f = SeedLoader.FLEET;
    FleetTemplate fleet = seeds.fleet();
    problems.requireUnique(f, "device_kinds", ids(fleet.deviceKinds(), DeviceKind::id));
    problems.requireUnique(f, "device_kinds[*].code", ids(fleet.deviceKinds(), DeviceKind::code));
    List<String> kinds = ids(fleet.deviceKinds(), DeviceKind::id);
    List<String> metrics = ids(seeds.metrics(), MetricKind::id);
    for (DeviceKind k : fleet.deviceKinds()) {
      String key = "device_kinds[" + k.id() + "]";
      id(f, key, k.id());
      if (problems.require(f, key + ".code", k.code()) && !k.code().matches("[A-Z]{2,4}")) {
        problems.add(f, key + ".code", "must be 2-4 upper-case letters (it appears in device ids)");
      }
      if (problems.require(f, key + ".interval_s", k.intervalS()) && k.intervalS() <= 0) {
        problems.add(f, key + ".interval_s", "must be positive, was " + k.intervalS());
      }
      if (problems.require(f, key + ".class", k.deviceClass())) {
        if (k.deviceClass() == DeviceClass.SENSOR && k.metrics().isEmpty()) {
          problems.add(f, key + ".metrics", "a sensor must report at least one metric");
        }
        if (k.deviceClass() == DeviceClass.ACTUATOR && k.commands().isEmpty()) {
          problems.add(f, key + ".commands", "an actuator must accept at least one command");
        }
      }
      problems.require(f, key + ".placement", k.placement());
      if (k.placement() == Placement.CLUSTERED && (k.clusters() == null || k.clusters() <= 0)) {
        problems.add(
            f, key + ".clusters", "clustered placement needs a positive number of clusters");
      }
      if (k.gatewaySize() != null && k.gatewaySize() <= 0) {
        problems.add(f, key + ".gateway_size", "must be positive, was " + k.gatewaySize());
      }
      for (int i = 0; i < k.metrics().size(); i++) {
        problems.requireKnown(
            f, key + ".metrics[" + i + "]", "metric", k.metrics().get(i), metrics);
      }
    }
    fleet
        .defaultCounts()
        .forEach(
            (kind, count) -> {
              problems.requireKnown(f, "default_counts." + kind, "device kind", kind, kinds);
              if (count < 0) {
                problems.add(f, "default_counts." + kind, "must not be negative, was " + count);
              }
            });
    List<String> districts = seeds.districtCodes();
    problems.requireUnique(
        f,
        "overrides",
        fleet.overrides().stream().map(o -> o.district() + "/" + o.kind()).toList());
    for (int i = 0; i < fleet.overrides().size(); i++) {
      FleetTemplate.CountOverride o = fleet.overrides().get(i);
      String key = "overrides[" + i + "]";
      if (problems.require(f, key + ".district", o.district())) {
        problems.requireKnown(f, key + ".district", "district", o.district(), districts);
      }
      if (problems.require(f, key + ".kind", o.kind())) {
        problems.requireKnown(f, key + ".kind", "device kind", o.kind(), kinds);
      }
      if (problems.require(f, key + ".count", o.count()) && o.count() < 0) {
        problems.add(f, key + ".count", "must not be negative, was " + o.count());
      }
    }
  }

  private void alertRules() {
    String f = SeedLoader.ALERT_RULES;
    problems.requireUnique(f, "rules", ids(seeds.alertRules(), AlertRule::id));
    for (AlertRule r : seeds.alertRules()) {
      String key = "rules[" + r.id() + "]";
      id(f, key, r.id());
      problems.require(f, key + ".statistic", r.statistic());
      boolean complete =
          problems.require(f, key + ".direction", r.direction())
              & problems.require(f, key + ".threshold", r.threshold())
              & problems.require(f, key + ".clear_threshold", r.clearThreshold());
      if (complete
          && (r.direction() == AlertRule.Direction.ABOVE
              ? r.clearThreshold() > r.threshold()
              : r.clearThreshold() < r.threshold())) {
        problems.add(
            f,
            key + ".clear_threshold",
            "must be on the calm side of threshold "
                + r.threshold()
                + " for a rule that fires "
                + r.direction().name().toLowerCase(Locale.ROOT)
                + " it, was "
                + r.clearThreshold());
      }
      if (problems.require(f, key + ".consecutive", r.consecutive()) && r.consecutive() < 1) {
        problems.add(f, key + ".consecutive", "must be at least 1, was " + r.consecutive());
      }
      severity(f, key, r.severity());
      if (r.districts() != null) {
        r.districts()
            .forEach(
                d ->
                    problems.requireKnown(
                        f, key + ".districts", "district", d, seeds.districtCodes()));
      }
      if (problems.require(f, key + ".metric", r.metric())) {
        seeds
            .metric(r.metric())
            .ifPresentOrElse(
                metric -> {
                  if (problems.require(f, key + ".unit", r.unit())
                      && !metric.unit().equals(r.unit())) {
                    problems.add(
                        f,
                        key + ".unit",
                        "unit mismatch: metric "
                            + metric.id()
                            + " is in '"
                            + metric.unit()
                            + "', the rule says '"
                            + r.unit()
                            + "'");
                  }
                  if (r.statistic() == AlertRule.Statistic.P95 && !metric.wantsP95()) {
                    problems.add(
                        f,
                        key + ".statistic",
                        "p95 is not computed for metric "
                            + metric.id()
                            + " (set p95: true in metrics.yaml)");
                  }
                },
                () ->
                    problems.requireKnown(
                        f,
                        key + ".metric",
                        "metric",
                        r.metric(),
                        ids(seeds.metrics(), MetricKind::id)));
      }
    }
  }

  private void responsePlans() {
    String f = SeedLoader.RESPONSE_PLANS;
    problems.requireUnique(f, "plans", ids(seeds.responsePlans(), ResponsePlan::id));
    List<String> departments = ids(seeds.departments(), Department::id);
    for (ResponsePlan p : seeds.responsePlans()) {
      String key = "plans[" + p.id() + "]";
      id(f, key, p.id());
      problems.require(f, key + ".name_en", p.nameEn());
      if (p.approval() != null && !ResponsePlan.APPROVALS.contains(p.approval())) {
        problems.add(
            f,
            key + ".approval",
            "must be one of "
                + String.join(", ", ResponsePlan.APPROVALS)
                + ", was '"
                + p.approval()
                + "'");
      }
      if (problems.require(f, key + ".command_ttl_s", p.commandTtlS())) {
        if (p.commandTtlS() <= 0) {
          problems.add(f, key + ".command_ttl_s", "must be positive, was " + p.commandTtlS());
        } else if (p.commandTtlS() > ResponsePlan.MAX_COMMAND_TTL_S) {
          problems.add(
              f,
              key + ".command_ttl_s",
              "must be at most "
                  + ResponsePlan.MAX_COMMAND_TTL_S
                  + " (devices remember an executed command that many seconds; one still"
                  + " deliverable later could run twice), was "
                  + p.commandTtlS());
        }
      }
      for (int i = 0; i < p.commands().size(); i++) {
        ResponsePlan.PlanCommand c = p.commands().get(i);
        String ck = key + ".commands[" + i + "]";
        if (!problems.require(f, ck + ".device_kind", c.deviceKind())
            | !problems.require(f, ck + ".action", c.action())) {
          continue;
        }
        seeds
            .deviceKind(c.deviceKind())
            .ifPresentOrElse(
                kind -> {
                  if (!kind.commands().contains(c.action())) {
                    problems.add(
                        f,
                        ck + ".action",
                        "device kind "
                            + kind.id()
                            + " does not accept '"
                            + c.action()
                            + "' (accepts: "
                            + String.join(", ", kind.commands())
                            + ")");
                  }
                },
                () ->
                    problems.requireKnown(
                        f,
                        ck + ".device_kind",
                        "device kind",
                        c.deviceKind(),
                        ids(seeds.fleet().deviceKinds(), DeviceKind::id)));
        if (c.withinM() != null && c.withinM() <= 0) {
          problems.add(f, ck + ".within_m", "must be positive, was " + c.withinM());
        }
      }
      for (int i = 0; i < p.tasks().size(); i++) {
        ResponsePlan.PlanTask t = p.tasks().get(i);
        String tk = key + ".tasks[" + i + "]";
        problems.require(f, tk + ".task", t.task());
        if (t.slaMinutes() != null && t.slaMinutes() <= 0) {
          problems.add(f, tk + ".sla_minutes", "must be positive, was " + t.slaMinutes());
        }
        if (problems.require(f, tk + ".department", t.department())) {
          problems.requireKnown(f, tk + ".department", "department", t.department(), departments);
        }
      }
    }
  }

  private void incidentPatterns() {
    String f = SeedLoader.INCIDENT_PATTERNS;
    problems.requireUnique(f, "patterns", ids(seeds.incidentPatterns(), IncidentPattern::id));
    for (IncidentPattern p : seeds.incidentPatterns()) {
      String key = "patterns[" + p.id() + "]";
      id(f, key, p.id());
      severity(f, key, p.severity());
      if (problems.require(f, key + ".within_minutes", p.withinMinutes())
          && p.withinMinutes() <= 0) {
        problems.add(f, key + ".within_minutes", "must be positive, was " + p.withinMinutes());
      }
      if (problems.require(f, key + ".response_plan", p.responsePlan())) {
        problems.requireKnown(
            f,
            key + ".response_plan",
            "response plan",
            p.responsePlan(),
            ids(seeds.responsePlans(), ResponsePlan::id));
      }
      if (p.kind() != null && !p.isStorm()) {
        problems.add(
            f,
            key + ".kind",
            "unknown pattern kind '" + p.kind() + "' (known: storm; omit for a sequence)");
      } else if (p.isStorm()) {
        if (p.minAlerts() == null || p.minAlerts() < 2) {
          problems.add(f, key + ".min_alerts", "a storm pattern needs min_alerts of at least 2");
        }
      } else if (p.steps().isEmpty()) {
        problems.add(f, key + ".steps", "a sequence pattern needs at least one step");
      }
      for (int i = 0; i < p.steps().size(); i++) {
        step(f, key + ".steps[" + i + "]", p.steps().get(i));
      }
    }
  }

  private void step(String f, String key, IncidentPattern.Step s) {
    int kinds =
        (s.alert() != null ? 1 : 0)
            + (s.camera() != null ? 1 : 0)
            + (s.reading() != null ? 1 : 0)
            + (s.anyOf() != null ? 1 : 0);
    if (kinds != 1) {
      problems.add(
          f, key, "must have exactly one of alert, camera, reading, any_of (has " + kinds + ")");
      return;
    }
    if (s.alert() != null) {
      problems.requireKnown(
          f, key + ".alert", "alert rule", s.alert(), ids(seeds.alertRules(), AlertRule::id));
    } else if (s.camera() != null) {
      problems.requireKnown(
          f,
          key + ".camera",
          "camera event type",
          s.camera(),
          ids(seeds.cameraEventTypes(), CameraEventType::id));
    } else if (s.reading() != null) {
      problems.requireKnown(
          f, key + ".reading", "metric", s.reading(), ids(seeds.metrics(), MetricKind::id));
      problems.require(f, key + ".above", s.above());
    } else {
      for (int i = 0; i < s.anyOf().size(); i++) {
        IncidentPattern.Step alternative = s.anyOf().get(i);
        step(f, key + ".any_of[" + i + "]", alternative);
        // An alternative is one signal: the CEP step that tries them takes the first that fits.
        if (alternative.minCount() != null && alternative.minCount() > 1) {
          problems.add(
              f,
              key + ".any_of[" + i + "].min_count",
              "an any_of alternative matches one signal; "
                  + "min_count must be 1, was "
                  + alternative.minCount());
        }
      }
    }
    if (s.minCount() != null && s.minCount() < 1) {
      problems.add(f, key + ".min_count", "must be at least 1, was " + s.minCount());
    }
  }

  /** Ids appear in SQL COPY, topics and URLs: lower-case letters, digits and underscores only. */
  private void situationIndex() {
    String f = SeedLoader.SITUATION_INDEX;
    SituationIndexSpec spec = seeds.situationIndex();
    if (spec == null) {
      return;
    }
    if (spec.subIndices().isEmpty()) {
      problems.add(f, "sub_indices", "is required");
    }
    problems.requireUnique(
        f, "sub_indices", ids(spec.subIndices(), SituationIndexSpec.SubIndex::id));
    List<String> subIndexIds = ids(spec.subIndices(), SituationIndexSpec.SubIndex::id);
    for (MetricKind m : seeds.metrics()) {
      if (m.category() != null && !subIndexIds.contains(m.category())) {
        problems.add(
            f,
            "sub_indices",
            "no sub-index for category '" + m.category() + "' of metric " + m.id());
      }
    }
    for (SituationIndexSpec.SubIndex sub : spec.subIndices()) {
      String key = "sub_indices[" + sub.id() + "]";
      id(f, key, sub.id());
      if (problems.require(f, key + ".weight", sub.weight()) && !(sub.weight() > 0)) {
        problems.add(f, key + ".weight", "must be positive, was " + sub.weight());
      }
      for (int i = 0; i < sub.scores().size(); i++) {
        SituationIndexSpec.Score score = sub.scores().get(i);
        String sk = key + ".scores[" + i + "]";
        if (problems.require(f, sk + ".good", score.good())
                & problems.require(f, sk + ".bad", score.bad())
            && score.good().equals(score.bad())) {
          problems.add(f, sk, "good and bad must differ, both were " + score.good());
        }
        if (score.isOnlineRate()) {
          if (score.metric() != null) {
            problems.add(f, sk, "a score is either a metric or the online rate, not both");
          }
          continue;
        }
        if (problems.require(f, sk + ".metric", score.metric())
            & problems.require(f, sk + ".statistic", score.statistic())) {
          seeds
              .metric(score.metric())
              .ifPresentOrElse(
                  metric -> {
                    if (score.statistic() == AlertRule.Statistic.P95 && !metric.wantsP95()) {
                      problems.add(
                          f,
                          sk + ".statistic",
                          "p95 is not computed for metric "
                              + metric.id()
                              + " (set p95: true in metrics.yaml)");
                    }
                  },
                  () ->
                      problems.requireKnown(
                          f,
                          sk + ".metric",
                          "metric",
                          score.metric(),
                          ids(seeds.metrics(), MetricKind::id)));
        }
      }
    }
    spec.alertPenalty()
        .keySet()
        .forEach(
            severity ->
                problems.requireKnown(f, "alert_penalty", "severity", severity, SEVERITIES));
    problems.require(f, "incident_penalty", spec.incidentPenalty());
    if (problems.require(f, "incident_active_minutes", spec.incidentActiveMinutes())
        && spec.incidentActiveMinutes() < 1) {
      problems.add(
          f, "incident_active_minutes", "must be at least 1, was " + spec.incidentActiveMinutes());
    }
  }

  /**
   * Every severity has a positive acknowledge deadline, none longer than a less urgent one's; the
   * reminder interval and the no-data bound are durations, the latter at least a minute (the job's
   * windows are 10 s: a shorter bound would resolve alerts between two windows).
   */
  private void escalation() {
    String f = SeedLoader.ALERT_RULES;
    Escalation e = seeds.escalation();
    if (e == null) {
      return;
    }
    String key = "escalation.acknowledge_within";
    e.acknowledgeWithin()
        .keySet()
        .forEach(severity -> problems.requireKnown(f, key, "severity", severity, SEVERITIES));
    List<String> missing =
        SEVERITIES.stream().filter(s -> !e.acknowledgeWithin().containsKey(s)).toList();
    if (!missing.isEmpty()) {
      problems.add(
          f,
          key,
          "needs a deadline for every severity (missing: " + String.join(", ", missing) + ")");
    }
    Duration previous = null;
    String previousSeverity = null;
    for (String severity : SEVERITIES) {
      Duration deadline =
          duration(
              f, key + "." + severity, e.acknowledgeWithin().get(severity), Duration.ofSeconds(1));
      if (deadline == null) {
        continue;
      }
      if (previous != null && deadline.compareTo(previous) > 0) {
        problems.add(
            f,
            key + "." + severity,
            "must not be longer than "
                + previousSeverity
                + "'s ("
                + e.acknowledgeWithin().get(previousSeverity)
                + "): a more urgent alert waits less, was "
                + e.acknowledgeWithin().get(severity));
      }
      previous = deadline;
      previousSeverity = severity;
    }
    if (problems.require(f, "escalation.remind_every", e.remindEvery())) {
      duration(f, "escalation.remind_every", e.remindEvery(), Duration.ofMinutes(1));
    }
    if (problems.require(f, "escalation.max_level", e.maxLevel()) && e.maxLevel() < 1) {
      problems.add(f, "escalation.max_level", "must be at least 1, was " + e.maxLevel());
    }
    if (problems.require(f, "escalation.task_sla_minutes", e.taskSlaMinutes())
        && e.taskSlaMinutes() <= 0) {
      problems.add(f, "escalation.task_sla_minutes", "must be positive, was " + e.taskSlaMinutes());
    }
    if (problems.require(f, "escalation.resolve_without_data_after", e.resolveWithoutDataAfter())) {
      duration(
          f,
          "escalation.resolve_without_data_after",
          e.resolveWithoutDataAfter(),
          Duration.ofMinutes(1));
    }
  }

  /**
   * The duration, or null with a problem recorded when it does not parse or is below {@code min}.
   */
  private Duration duration(String file, String key, String text, Duration min) {
    if (text == null) {
      return null;
    }
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException ex) {
      problems.add(file, key, ex.getMessage());
      return null;
    }
    if (d.compareTo(min) < 0) {
      problems.add(
          file,
          key,
          "must be at least "
              + (min.toMinutes() >= 1 ? min.toMinutes() + "m" : min.toSeconds() + "s")
              + ", was "
              + text);
      return null;
    }
    return d;
  }

  private void id(String file, String key, String id) {
    if (problems.require(file, key + ".id", id) && !id.matches("[a-z0-9_]+")) {
      problems.add(
          file,
          key + ".id",
          "must be lower-case letters, digits and underscores, was '" + id + "'");
    }
  }

  private void severity(String file, String key, String severity) {
    if (problems.require(file, key + ".severity", severity)) {
      problems.requireKnown(file, key + ".severity", "severity", severity, SEVERITIES);
    }
  }

  private static <T> List<String> ids(List<T> items, Function<T, String> id) {
    return items.stream().map(id).toList();
  }

  private static List<String> sorted(Set<String> values) {
    return List.copyOf(new TreeSet<>(values));
  }
}
