package io.citybrain.stream.incident;

import io.citybrain.seeds.IncidentPattern;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets the first incident of a pattern in a district through and suppresses repeats while it is
 * still active: an incident stays active for the pattern's within_minutes after its latest
 * detection (event time), and every suppressed repeat extends that, so one ongoing flood is one
 * incident rather than one per extra camera event. A repeat that brings alerts the active incident
 * does not link yet widens it: the gate emits the same incident again (revision + 1) with the
 * sorted union of alert ids and the evidence merged (oldest {@value #EVIDENCE_CAP} items kept).
 * Keyed by {@link #KEY} (district and pattern).
 */
public final class IncidentGate extends KeyedProcessFunction<String, IncidentEvent, IncidentEvent> {
  private static final long serialVersionUID = 1L;

  /** The gate's key: district and pattern. */
  public static final KeySelector<IncidentEvent, String> KEY = new DistrictAndPattern();

  /**
   * Most evidence items a widened incident keeps (the oldest, in {@link #EVIDENCE_ORDER}); alert
   * ids are never capped. Equal to the incident sink's cap.
   */
  public static final int EVIDENCE_CAP = 50;

  /**
   * A total order on evidence items, so the merged evidence is the same set in the same order
   * whatever order the repeats came in; the incident sink orders the stored evidence alike.
   */
  static final Comparator<EvidenceItem> EVIDENCE_ORDER =
      Comparator.<EvidenceItem>comparingLong(e -> e.timeMs)
          .thenComparing(e -> e.kind, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(e -> e.what, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(e -> e.deviceId == null ? "" : e.deviceId)
          .thenComparingLong(e -> e.seq)
          .thenComparingDouble(e -> e.value);

  private final HashMap<String, Long> activeMsByPattern;
  private transient ValueState<Long> activeUntil;

  /**
   * The active incident as last emitted (its id, alert ids and evidence). Empty for an incident
   * restored from a savepoint taken before this state existed: its repeats are then only
   * suppressed.
   */
  private transient ValueState<IncidentEvent> activeIncident;

  /** Active periods by pattern id, in milliseconds. */
  public IncidentGate(Map<String, Long> activeMsByPattern) {
    this.activeMsByPattern = new HashMap<>(activeMsByPattern);
  }

  /** Each pattern active for its own within_minutes. */
  public static IncidentGate forPatterns(List<IncidentPattern> patterns) {
    Map<String, Long> active = new HashMap<>();
    patterns.forEach(p -> active.put(p.id(), p.withinMinutes() * 60_000L));
    return new IncidentGate(active);
  }

  @Override
  public void open(OpenContext openContext) {
    activeUntil =
        getRuntimeContext().getState(new ValueStateDescriptor<>("active-until", Long.class));
    activeIncident =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("active-incident", IncidentEvent.class));
  }

  @Override
  public void processElement(IncidentEvent incident, Context ctx, Collector<IncidentEvent> out)
      throws Exception {
    Long until = activeUntil.value();
    long newUntil = incident.detectedAtMs + activeMs(incident.patternId);
    if (until != null && incident.detectedAtMs <= until) {
      if (newUntil > until) {
        move(ctx, until, newUntil);
      }
      IncidentEvent active = activeIncident.value();
      IncidentEvent widened = active == null ? null : widened(active, incident);
      if (widened != null) {
        activeIncident.update(widened);
        out.collect(widened);
      }
      return;
    }
    out.collect(incident);
    activeIncident.update(incident);
    move(ctx, until, newUntil);
  }

  /**
   * The active incident with the repeat's alerts and evidence added, or null when the repeat links
   * no new alert. Only what was first detected stays: id, times, summary, plan.
   */
  static IncidentEvent widened(IncidentEvent active, IncidentEvent repeat) {
    TreeSet<String> alerts = new TreeSet<>(active.alertIds);
    if (!alerts.addAll(repeat.alertIds)) {
      return null;
    }
    TreeSet<EvidenceItem> evidence = new TreeSet<>(EVIDENCE_ORDER);
    evidence.addAll(active.evidence);
    evidence.addAll(repeat.evidence);
    IncidentEvent w = new IncidentEvent();
    w.incidentId = active.incidentId;
    w.patternId = active.patternId;
    w.district = active.district;
    w.severity = active.severity;
    w.startedAtMs = active.startedAtMs;
    w.detectedAtMs = active.detectedAtMs;
    w.summary = active.summary;
    w.responsePlanId = active.responsePlanId;
    w.alertIds = new ArrayList<>(alerts);
    w.evidence = new ArrayList<>(evidence.stream().limit(EVIDENCE_CAP).toList());
    w.revision = active.revision + 1;
    return w;
  }

  /** The incident has ended: forget it, so idle (district, pattern) keys hold no state. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<IncidentEvent> out)
      throws Exception {
    Long until = activeUntil.value();
    if (until != null && until == timestamp) {
      activeUntil.clear();
      activeIncident.clear();
    }
  }

  private void move(Context ctx, Long oldUntil, long newUntil) throws Exception {
    if (oldUntil != null) {
      ctx.timerService().deleteEventTimeTimer(oldUntil);
    }
    activeUntil.update(newUntil);
    ctx.timerService().registerEventTimeTimer(newUntil);
  }

  private long activeMs(String patternId) {
    Long ms = activeMsByPattern.get(patternId);
    if (ms == null) {
      throw new IllegalStateException("no active period for incident pattern " + patternId);
    }
    return ms;
  }

  private static final class DistrictAndPattern implements KeySelector<IncidentEvent, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(IncidentEvent e) {
      return e.district + "/" + e.patternId;
    }
  }
}
