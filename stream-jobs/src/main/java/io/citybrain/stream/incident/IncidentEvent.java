package io.citybrain.stream.incident;

import io.citybrain.proto.Severities;
import io.citybrain.proto.v1.Evidence;
import io.citybrain.proto.v1.Incident;
import io.citybrain.proto.v1.Position;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A compound incident detected in one district: which pattern, the evidence, and the response plan.
 * A Flink POJO.
 */
public class IncidentEvent {
  /** {patternId}:{district}:{startedAtMs}: a replay of the same input gives the same id. */
  public String incidentId;

  public String patternId;
  public String district;

  /** The pattern's seed severity: low, medium, high or critical. */
  public String severity;

  /** Event time of the first matched signal. */
  public long startedAtMs;

  /** Event time of the last matched signal (not the wall clock, so replays agree). */
  public long detectedAtMs;

  public String summary;
  public List<EvidenceItem> evidence = new ArrayList<>();
  public String responsePlanId;

  /**
   * Ids of the matched alert signals: in match order as first detected; in a widening (revision >
   * 0), the sorted distinct union of every linked match's.
   */
  public List<String> alertIds = new ArrayList<>();

  /**
   * 0 for the incident as first detected; n for its n-th widening by {@link IncidentGate}: the same
   * incident with the alerts (and evidence) of suppressed repeats added.
   */
  public int revision;

  public IncidentEvent() {}

  static String incidentId(String patternId, String district, long startedAtMs) {
    return patternId + ":" + district + ":" + startedAtMs;
  }

  /** The wire form: what the incident topic carries and the incident table's evidence renders. */
  public Incident toProto() {
    Incident.Builder b =
        Incident.newBuilder()
            .setIncidentId(incidentId)
            .setPatternId(patternId)
            .setDistrict(district)
            .setSeverity(Severities.of(severity))
            .setStartedAtMs(startedAtMs)
            .setDetectedAtMs(detectedAtMs)
            .setSummary(summary)
            .addAllAlertIds(alertIds);
    if (responsePlanId != null) {
      b.setResponsePlanId(responsePlanId);
    }
    for (EvidenceItem e : evidence) {
      Evidence.Builder ev =
          Evidence.newBuilder()
              .setSeq(e.seq)
              .setEventTimeMs(e.timeMs)
              .setKind(e.kind)
              .setWhat(e.what)
              .setValue(e.value);
      if (e.deviceId != null) {
        ev.setDeviceId(e.deviceId);
      }
      if (!Double.isNaN(e.lat) && !Double.isNaN(e.lon)) {
        ev.setPosition(Position.newBuilder().setLat(e.lat).setLon(e.lon));
      }
      b.addEvidence(ev);
    }
    return b.build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IncidentEvent e
        && Objects.equals(incidentId, e.incidentId)
        && Objects.equals(patternId, e.patternId)
        && Objects.equals(district, e.district)
        && Objects.equals(severity, e.severity)
        && startedAtMs == e.startedAtMs
        && detectedAtMs == e.detectedAtMs
        && Objects.equals(summary, e.summary)
        && Objects.equals(evidence, e.evidence)
        && Objects.equals(responsePlanId, e.responsePlanId)
        && Objects.equals(alertIds, e.alertIds)
        && revision == e.revision;
  }

  @Override
  public int hashCode() {
    return Objects.hash(incidentId, detectedAtMs, evidence, alertIds, revision);
  }

  @Override
  public String toString() {
    return incidentId
        + " ["
        + severity
        + "] "
        + summary
        + " detected@"
        + detectedAtMs
        + " plan="
        + responsePlanId
        + (revision > 0 ? " rev=" + revision + " alerts=" + alertIds : "");
  }
}
