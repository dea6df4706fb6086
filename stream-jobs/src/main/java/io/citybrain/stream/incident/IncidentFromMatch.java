package io.citybrain.stream.incident;

import io.citybrain.seeds.IncidentPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns one CEP match of a pattern into an incident: evidence in step order, alert ids, a summary,
 * the plan.
 */
final class IncidentFromMatch extends PatternProcessFunction<Signal, IncidentEvent> {
  private static final long serialVersionUID = 1L;

  private final String patternId;
  private final String nameEn;
  private final String severity;
  private final String responsePlanId;
  private final int steps;

  IncidentFromMatch(IncidentPattern p) {
    this.patternId = p.id();
    this.nameEn = p.nameEn() != null ? p.nameEn() : p.id();
    this.severity = p.severity();
    this.responsePlanId = p.responsePlan();
    this.steps = IncidentPatterns.stepCount(p);
  }

  @Override
  public void processMatch(
      Map<String, List<Signal>> match, Context ctx, Collector<IncidentEvent> out) {
    List<Signal> signals = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      signals.addAll(match.getOrDefault(IncidentPatterns.stepName(i), List.of()));
    }
    if (!signals.isEmpty()) {
      out.collect(incident(signals));
    }
  }

  IncidentEvent incident(List<Signal> signals) {
    IncidentEvent e = new IncidentEvent();
    Signal first = signals.get(0);
    e.patternId = patternId;
    e.district = first.district;
    e.severity = severity;
    e.startedAtMs = signals.stream().mapToLong(s -> s.timeMs).min().orElseThrow();
    e.detectedAtMs = signals.stream().mapToLong(s -> s.timeMs).max().orElseThrow();
    e.incidentId = IncidentEvent.incidentId(patternId, e.district, e.startedAtMs);
    e.responsePlanId = responsePlanId;
    for (Signal s : signals) {
      e.evidence.add(EvidenceItem.of(s));
      if (s.kind == Signal.ALERT && s.alertId != null) {
        e.alertIds.add(s.alertId);
      }
    }
    e.summary = summary(nameEn, e.district, signals);
    return e;
  }

  /** "Urban flooding in DP: rainfall_heavy, water_level_warning, 3× road_flooding". */
  static String summary(String nameEn, String district, List<Signal> signals) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Signal s : signals) {
      counts.merge(s.name, 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    counts.forEach((what, n) -> parts.add(n > 1 ? n + "× " + what : what));
    return nameEn + " in " + district + ": " + String.join(", ", parts);
  }
}
