package io.citybrain.proto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.CitySummary;
import io.citybrain.proto.v1.DistrictBrief;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Evidence;
import io.citybrain.proto.v1.Incident;
import io.citybrain.proto.v1.MetricStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON rendering of the stream job's results, for the tables the job writes and for what
 * the API serves from the live topics, so a stored picture and a live one read the same: snake_case
 * keys, instants as ISO-8601 strings, enums as the database's lower-case words, every field present
 * (protobuf's own JSON prints 64-bit numbers as strings, camelCase keys and omits defaults).
 * Non-finite numbers become null (JSON has no NaN).
 */
public final class ResultJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ResultJson() {}

  public static Map<String, Object> snapshot(DistrictSnapshot s) {
    List<Object> metrics = new ArrayList<>();
    for (MetricStats m : s.getMetricsList()) {
      Map<String, Object> metric = new LinkedHashMap<>();
      metric.put("metric", m.getMetric());
      metric.put("count", m.getCount());
      metric.put("min", number(m.getMin()));
      metric.put("max", number(m.getMax()));
      metric.put("mean", number(m.getMean()));
      metric.put("sum", number(m.getSum()));
      if (m.hasP95()) {
        metric.put("p95", number(m.getP95()));
      }
      metrics.add(metric);
    }
    Map<String, Object> subIndices = new TreeMap<>();
    s.getSubIndicesMap().forEach((k, v) -> subIndices.put(k, number(v)));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("district", s.getDistrict());
    json.put("window_start", instant(s.getWindowStartMs()));
    json.put("window_end", instant(s.getWindowEndMs()));
    json.put("situation_index", number(s.getSituationIndex()));
    json.put("sub_indices", subIndices);
    json.put("online_rate", number(s.getOnlineRate()));
    json.put("devices_online", s.getDevicesOnline());
    json.put("devices_total", s.getDevicesTotal());
    json.put("open_alerts", s.getOpenAlerts());
    json.put("open_incidents", s.getOpenIncidents());
    json.put("metrics", metrics);
    json.put("camera_events_by_type", new TreeMap<String, Object>(s.getCameraEventsByTypeMap()));
    json.put(
        "camera_events_by_category", new TreeMap<String, Object>(s.getCameraEventsByCategoryMap()));
    json.put("generated_at", instant(s.getGeneratedAtMs()));
    return json;
  }

  public static Map<String, Object> citySummary(CitySummary c) {
    List<Object> districts = new ArrayList<>();
    for (DistrictBrief d : c.getDistrictsList()) {
      Map<String, Object> brief = new LinkedHashMap<>();
      brief.put("district", d.getDistrict());
      brief.put("situation_index", number(d.getSituationIndex()));
      brief.put("online_rate", number(d.getOnlineRate()));
      brief.put("open_alerts", d.getOpenAlerts());
      brief.put("open_incidents", d.getOpenIncidents());
      districts.add(brief);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("window_end", instant(c.getWindowEndMs()));
    json.put("situation_index", number(c.getSituationIndex()));
    json.put("devices_online", c.getDevicesOnline());
    json.put("devices_total", c.getDevicesTotal());
    json.put("online_rate", number(c.getOnlineRate()));
    json.put("open_alerts", c.getOpenAlerts());
    json.put("open_incidents", c.getOpenIncidents());
    json.put("districts", districts);
    json.put("generated_at", instant(c.getGeneratedAtMs()));
    return json;
  }

  public static Map<String, Object> alert(Alert a) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("alert_id", a.getAlertId());
    json.put("rule_id", a.getRuleId());
    json.put("district", a.getDistrict());
    json.put("metric", a.getMetric());
    json.put("severity", Severities.word(a.getSeverity()));
    json.put("state", AlertStates.word(a.getState()));
    json.put("value", number(a.getValue()));
    json.put("threshold", number(a.getThreshold()));
    json.put("raised_at", instant(a.getRaisedAtMs()));
    json.put("cleared_at", a.getClearedAtMs() == 0 ? null : instant(a.getClearedAtMs()));
    return json;
  }

  public static Map<String, Object> incident(Incident i) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("incident_id", i.getIncidentId());
    json.put("pattern_id", i.getPatternId());
    json.put("district", i.getDistrict());
    json.put("severity", Severities.word(i.getSeverity()));
    json.put("started_at", instant(i.getStartedAtMs()));
    json.put("detected_at", instant(i.getDetectedAtMs()));
    json.put("summary", i.getSummary());
    json.put("response_plan_id", i.getResponsePlanId().isEmpty() ? null : i.getResponsePlanId());
    json.put("alert_ids", new ArrayList<Object>(i.getAlertIdsList()));
    json.put("evidence", evidence(i.getEvidenceList()));
    return json;
  }

  /** An incident's evidence, oldest match first: also the {@code incident.evidence} column. */
  public static List<Object> evidence(List<Evidence> evidence) {
    List<Object> items = new ArrayList<>();
    for (Evidence e : evidence) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("device_id", e.getDeviceId().isEmpty() ? null : e.getDeviceId());
      item.put("seq", e.getSeq());
      item.put("event_time", instant(e.getEventTimeMs()));
      item.put("kind", e.getKind());
      item.put("what", e.getWhat());
      item.put("value", number(e.getValue()));
      if (e.hasPosition()) {
        item.put("lat", number(e.getPosition().getLat()));
        item.put("lon", number(e.getPosition().getLon()));
      }
      items.add(item);
    }
    return items;
  }

  /** The rendering as JSON text (maps, lists, strings, numbers, booleans and nulls). */
  public static String encode(Object rendering) {
    try {
      return MAPPER.writeValueAsString(rendering);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a JSON rendering: " + e.getMessage(), e);
    }
  }

  private static Double number(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private static String instant(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }
}
