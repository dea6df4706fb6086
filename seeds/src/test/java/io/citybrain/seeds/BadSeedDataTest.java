package io.citybrain.seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad reference data stops the loader with a message naming the file and the key. */
class BadSeedDataTest {
  private static final List<String> FILES =
      List.of(
          SeedLoader.DISTRICTS,
          SeedLoader.METRICS,
          SeedLoader.DEPARTMENTS,
          SeedLoader.GRID_CASES,
          SeedLoader.CAMERA_EVENTS,
          SeedLoader.FLEET,
          SeedLoader.ALERT_RULES,
          SeedLoader.INCIDENT_PATTERNS,
          SeedLoader.RESPONSE_PLANS,
          SeedLoader.SITUATION_INDEX);

  @TempDir Path dir;

  @BeforeEach
  void copyShippedSeeds() throws IOException {
    for (String file : FILES) {
      try (InputStream in = SeedSource.classpath().open(file)) {
        Files.write(dir.resolve(file), in.readAllBytes());
      }
    }
  }

  @Test
  @DisplayName("the unmodified copy loads: each failure below is caused by its one edit")
  void copyLoads() {
    assertThat(SeedLoader.load(SeedSource.directory(dir)).districts()).hasSize(11);
  }

  @Test
  @DisplayName("an unknown district in a fleet override names fleet.yaml and the override's key")
  void unknownDistrict() throws IOException {
    replace(
        SeedLoader.FLEET,
        "{district: DP, kind: camera, count: 7000}",
        "{district: XX, kind: camera, count: 7000}");
    assertProblem("fleet.yaml: overrides[0].district: unknown district 'XX'");
  }

  @Test
  @DisplayName(
      "a metric with a unit that is not declared names metrics.yaml and the metric's unit key")
  void badUnit() throws IOException {
    replace(SeedLoader.METRICS, "unit: \"dB(A)\",      min: 20", "unit: \"decibel\",    min: 20");
    assertProblem("metrics.yaml: metrics[noise_db].unit: unknown unit 'decibel'");
  }

  @Test
  @DisplayName("an alert rule whose unit differs from its metric's is a unit mismatch")
  void unitMismatch() throws IOException {
    replace(
        SeedLoader.ALERT_RULES,
        "clear_threshold: 50,  unit: \"ug/m3\"",
        "clear_threshold: 50,  unit: \"mm/h\"");
    assertProblem(
        "alert-rules.yaml: rules[pm25_high].unit: unit mismatch: metric pm25 is in 'ug/m3', the rule says 'mm/h'");
  }

  @Test
  @DisplayName("a duplicate id names the file and the position of the second one")
  void duplicateId() throws IOException {
    replace(SeedLoader.DISTRICTS, "{code: LH,", "{code: FT,");
    assertProblem("districts.yaml: districts[1]: duplicate id 'FT'");
  }

  @Test
  @DisplayName("a duplicate device id code would make two kinds share ids, and is refused")
  void duplicateDeviceCode() throws IOException {
    replace(SeedLoader.FLEET, "code: NZ,", "code: AQ,");
    assertProblem("fleet.yaml: device_kinds[*].code[1]: duplicate id 'AQ'");
  }

  @Test
  @DisplayName("a rule on an unknown metric names the rule")
  void ruleOnUnknownMetric() throws IOException {
    replace(
        SeedLoader.ALERT_RULES,
        "{id: crowd_dense,         metric: crowd_density,",
        "{id: crowd_dense,         metric: crowd_size,");
    assertProblem("alert-rules.yaml: rules[crowd_dense].metric: unknown metric 'crowd_size'");
  }

  @Test
  @DisplayName("a misspelt key is refused with the keys that are allowed")
  void unknownKey() throws IOException {
    replace(SeedLoader.DISTRICTS, "{code: YT,  name_zh: 盐田区,", "{code: YT,  nam_zh: 盐田区,");
    assertProblem("districts.yaml: districts[YT].nam_zh: unknown key (allowed: ");
  }

  @Test
  @DisplayName(
      "a plan command the device kind does not accept names the plan, the command and the accepted ones")
  void planActionNotAccepted() throws IOException {
    replace(
        SeedLoader.RESPONSE_PLANS,
        "{device_kind: pump,         action: start_pump,",
        "{device_kind: pump,         action: open,");
    assertProblem(
        "response-plans.yaml: plans[flood_response].commands[0].action: device kind pump does not accept 'open'");
  }

  @Test
  @DisplayName(
      "a command TTL longer than devices remember executed commands names the plan and the limit")
  void commandTtlAboveDeviceMemory() throws IOException {
    replace(
        SeedLoader.RESPONSE_PLANS,
        "    name_en: Urban flood response\n    command_ttl_s: 300",
        "    name_en: Urban flood response\n    command_ttl_s: 301");
    assertProblem(
        "response-plans.yaml: plans[flood_response].command_ttl_s: must be at most 300 (devices"
            + " remember an executed command that many seconds; one still deliverable later could"
            + " run twice), was 301");
  }

  @Test
  @DisplayName("an approval the API does not know names the plan and the words it takes")
  void unknownApproval() throws IOException {
    replace(
        SeedLoader.RESPONSE_PLANS, "    approval: second_coordinator", "    approval: two_people");
    assertProblem(
        "response-plans.yaml: plans[district_alarm].approval: must be one of none,"
            + " second_coordinator, was 'two_people'");
  }

  @Test
  @DisplayName("a hysteresis band on the wrong side of the threshold is refused")
  void clearThresholdWrongSide() throws IOException {
    replace(
        SeedLoader.ALERT_RULES,
        "threshold: 15,  clear_threshold: 25",
        "threshold: 15,  clear_threshold: 5");
    assertProblem(
        "alert-rules.yaml: rules[traffic_slow].clear_threshold: must be on the calm side");
  }

  @Test
  @DisplayName("a pattern step on an unknown camera event type names the nested key")
  void nestedStepReference() throws IOException {
    replace(
        SeedLoader.INCIDENT_PATTERNS,
        "{camera: smoke_fire, other_device: true",
        "{camera: smoke, other_device: true");
    assertProblem(
        "incident-patterns.yaml: patterns[fire].steps[1].any_of[1].camera: unknown camera event type 'smoke'");
  }

  @Test
  @DisplayName("a wrongly typed value names its key")
  void wrongType() throws IOException {
    replace(SeedLoader.DISTRICTS, "area_km2: 295.1", "area_km2: large");
    assertThatThrownBy(this::load)
        .isInstanceOf(SeedException.class)
        .hasMessageContaining("districts.yaml: districts[DP].area_km2: ");
  }

  @Test
  @DisplayName("a misspelt top-level key is refused instead of silently dropping its section")
  void topLevelTypo() throws IOException {
    replace(SeedLoader.FLEET, "\noverrides:", "\noveride:");
    assertProblem(
        "fleet.yaml: overide: unknown key (allowed: device_kinds, default_counts, overrides)");
  }

  @Test
  @DisplayName("a misspelt list key and an empty list item are named")
  void structuralProblems() throws IOException {
    replace(
        SeedLoader.GRID_CASES,
        "    subtypes:\n      - {id: notice_board,",
        "    subtypez:\n      - {id: notice_board,");
    replace(SeedLoader.DEPARTMENTS, "departments:\n", "departments:\n  - ~\n");
    assertThatThrownBy(this::load)
        .isInstanceOf(SeedException.class)
        .hasMessageContaining(
            "grid-cases.yaml: categories[community_publicity].subtypez: unknown key")
        .hasMessageContaining("departments.yaml: departments[0]: must be a mapping, was null");
  }

  @Test
  @DisplayName(
      "a category without sub-types and an id that is not lower-case are named, not a crash")
  void missingSubtypesAndBadId() throws IOException {
    replace(
        SeedLoader.GRID_CASES,
        """
          - id: community_publicity
            name_zh: 社区公益宣传
            name_en: Community public-interest publicity
            subtypes:
              - {id: notice_board,     name_en: Notice board out of date or damaged, department: street_office,        sla_hours: 72}
              - {id: civic_campaign,   name_en: Civic campaign material missing,     department: street_office,        sla_hours: 120}
        """,
        """
          - id: community_publicity
            name_zh: 社区公益宣传
            name_en: Community public-interest publicity
        """);
    replace(SeedLoader.RESPONSE_PLANS, "  - id: fire_response", "  - id: Fire-Response");
    assertThatThrownBy(this::load)
        .isInstanceOf(SeedException.class)
        .hasMessageContaining(
            "grid-cases.yaml: categories[community_publicity].subtypes: needs at least one sub-type")
        .hasMessageContaining(
            "response-plans.yaml: plans[Fire-Response].id: must be lower-case letters");
  }

  @Test
  @DisplayName("two overrides for the same district and kind are refused: one would silently win")
  void duplicateOverride() throws IOException {
    replace(
        SeedLoader.FLEET,
        "  - {district: DP, kind: pump, count: 30}",
        "  - {district: DP, kind: pump, count: 30}\n  - {district: DP, kind: pump, count: 3}");
    assertProblem("fleet.yaml: overrides[3]: duplicate id 'DP/pump'");
  }

  @Test
  @DisplayName("broken YAML and a missing file are reported by file")
  void brokenAndMissingFiles() throws IOException {
    Files.writeString(
        dir.resolve(SeedLoader.DEPARTMENTS), "departments: [ {id: x", StandardCharsets.UTF_8);
    Files.delete(dir.resolve(SeedLoader.RESPONSE_PLANS));
    assertThatThrownBy(this::load)
        .isInstanceOf(SeedException.class)
        .hasMessageContaining("departments.yaml: (file): not valid YAML")
        .hasMessageContaining("response-plans.yaml: (file): missing from " + dir);
  }

  @Test
  @DisplayName("several problems are all reported in one run")
  void allProblemsAtOnce() throws IOException {
    replace(
        SeedLoader.FLEET,
        "{district: DP, kind: camera, count: 7000}",
        "{district: XX, kind: camera, count: 7000}");
    replace(SeedLoader.METRICS, "unit: \"dB(A)\",      min: 20", "unit: \"decibel\",    min: 20");
    assertThatThrownBy(this::load)
        .isInstanceOfSatisfying(
            SeedException.class,
            e ->
                assertThat(e.problems())
                    .extracting(SeedProblem::file)
                    .contains("fleet.yaml", "metrics.yaml"));
  }

  @Test
  @DisplayName(
      "a situation score on a metric without p95 names situation-index.yaml and the score's key")
  void situationScoreWithoutP95() throws IOException {
    replace(
        SeedLoader.SITUATION_INDEX,
        "{metric: pm25,          statistic: mean",
        "{metric: pm25,          statistic: p95");
    assertProblem(
        "situation-index.yaml: sub_indices[environment].scores[0].statistic: p95 is not computed for metric pm25");
  }

  @Test
  @DisplayName("a metric category without a sub-index is named")
  void situationCategoryMissing() throws IOException {
    replace(SeedLoader.SITUATION_INDEX, "  - id: safety\n", "  - id: security\n");
    assertProblem(
        "situation-index.yaml: sub_indices: no sub-index for category 'safety' of metric crowd_density");
  }

  @Test
  @DisplayName("a score whose good and bad values are equal cannot be mapped")
  void situationScoreFlat() throws IOException {
    replace(SeedLoader.SITUATION_INDEX, "good: 1.5, bad: 5", "good: 5, bad: 5");
    assertProblem(
        "situation-index.yaml: sub_indices[safety].scores[0]: good and bad must differ, both were 5.0");
  }

  @Test
  @DisplayName("a typo in the situation index file is an unknown key")
  void situationTypo() throws IOException {
    replace(SeedLoader.SITUATION_INDEX, "incident_penalty: 25", "incident_penalti: 25");
    assertProblem("situation-index.yaml: incident_penalti: unknown key");
  }

  @Test
  @DisplayName(
      "an any_of alternative with min_count above 1 is refused: an alternative is one signal")
  void anyOfMinCount() throws IOException {
    replace(
        SeedLoader.INCIDENT_PATTERNS,
        "{camera: smoke_fire, other_device: true, within_m: 300}",
        "{camera: smoke_fire, other_device: true, within_m: 300, min_count: 2}");
    assertProblem(
        "incident-patterns.yaml: patterns[fire].steps[1].any_of[1].min_count: an any_of alternative");
  }

  @Test
  @DisplayName("alert-rules.yaml without its escalation block names the block")
  void escalationMissing() throws IOException {
    Path path = dir.resolve(SeedLoader.ALERT_RULES);
    String text = Files.readString(path, StandardCharsets.UTF_8);
    Files.writeString(path, text.substring(0, text.indexOf("escalation:")), StandardCharsets.UTF_8);
    assertProblem("alert-rules.yaml: escalation: is required");
  }

  @Test
  @DisplayName("an escalation deadline that is not a duration names its severity")
  void escalationBadDuration() throws IOException {
    replace(SeedLoader.ALERT_RULES, "critical: 5m,", "critical: 5 minutes,");
    assertProblem(
        "alert-rules.yaml: escalation.acknowledge_within.critical: '5 minutes' is not a duration"
            + " (e.g. 500ms, 10s, 5m, 2h, PT30S)");
  }

  @Test
  @DisplayName("a severity without a deadline, and an unknown one, are named")
  void escalationSeverities() throws IOException {
    replace(SeedLoader.ALERT_RULES, "low: 240m}", "urgent: 240m}");
    assertProblem(
        "alert-rules.yaml: escalation.acknowledge_within: needs a deadline for every severity"
            + " (missing: low)");
    assertProblem(
        "alert-rules.yaml: escalation.acknowledge_within: unknown severity 'urgent' (known: low,"
            + " medium, high, critical)");
  }

  @Test
  @DisplayName("a more urgent severity may not wait longer than a less urgent one")
  void escalationOrder() throws IOException {
    replace(SeedLoader.ALERT_RULES, "critical: 5m,", "critical: 20m,");
    assertProblem(
        "alert-rules.yaml: escalation.acknowledge_within.critical: must not be longer than"
            + " high's (15m): a more urgent alert waits less, was 20m");
  }

  @Test
  @DisplayName("reminders, levels, the task SLA and the no-data bound are checked")
  void escalationBounds() throws IOException {
    replace(SeedLoader.ALERT_RULES, "remind_every: 15m", "remind_every: 10s");
    replace(SeedLoader.ALERT_RULES, "max_level: 3", "max_level: 0");
    replace(SeedLoader.ALERT_RULES, "task_sla_minutes: 60", "task_sla_minutes: -5");
    replace(
        SeedLoader.ALERT_RULES,
        "resolve_without_data_after: 10m",
        "resolve_without_data_after: 30s");
    assertProblem("alert-rules.yaml: escalation.remind_every: must be at least 1m, was 10s");
    assertProblem("alert-rules.yaml: escalation.max_level: must be at least 1, was 0");
    assertProblem("alert-rules.yaml: escalation.task_sla_minutes: must be positive, was -5");
    assertProblem(
        "alert-rules.yaml: escalation.resolve_without_data_after: must be at least 1m, was 30s");
  }

  @Test
  @DisplayName("an unknown escalation key and a task's non-positive SLA are named")
  void escalationKeysAndTaskSla() throws IOException {
    replace(SeedLoader.ALERT_RULES, "max_level: 3", "max_levels: 3");
    assertProblem("alert-rules.yaml: escalation.max_levels: unknown key (allowed: ");
    replace(SeedLoader.ALERT_RULES, "max_levels: 3", "max_level: 3");
    replace(
        SeedLoader.RESPONSE_PLANS,
        "task: Send an ambulance, sla_minutes: 10}",
        "task: Send an ambulance, sla_minutes: 0}");
    assertProblem(
        "response-plans.yaml: plans[accident_response].tasks[1].sla_minutes: must be positive, was 0");
  }

  @Test
  @DisplayName("the shipped escalation block: deadlines per severity and tasks' own SLAs")
  void shippedEscalation() {
    Escalation e = load().escalation();
    assertThat(e.acknowledgeWithin("critical")).hasMinutes(5);
    assertThat(e.acknowledgeWithin("low")).hasMinutes(240);
    assertThat(e.reminderInterval()).hasMinutes(15);
    CitySeeds seeds = load();
    ResponsePlan flood = seeds.responsePlan("flood_response").orElseThrow();
    assertThat(e.taskSla(flood.tasks().get(0))).hasMinutes(30);
    assertThat(e.taskSla(flood.tasks().get(2))).hasMinutes(60);
  }

  private void replace(String file, String from, String to) throws IOException {
    Path path = dir.resolve(file);
    String text = Files.readString(path, StandardCharsets.UTF_8);
    assertThat(text).as("test edit target in " + file).contains(from);
    Files.writeString(path, text.replace(from, to), StandardCharsets.UTF_8);
  }

  private void assertProblem(String expected) {
    assertThatThrownBy(this::load).isInstanceOf(SeedException.class).hasMessageContaining(expected);
  }

  private CitySeeds load() {
    return SeedLoader.load(SeedSource.directory(dir));
  }
}
