package io.citybrain.api.live;

import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Evidence;
import io.citybrain.proto.v1.Incident;
import io.citybrain.proto.v1.MetricStats;
import io.citybrain.proto.v1.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;

/**
 * The stream job's protobuf results as the API's JSON: snake_case like the REST side, instants as
 * ISO-8601 strings and enums as the lower-case words the database uses (protobuf's own JSON prints
 * 64-bit numbers as strings).
 */
public final class ProtoJson {
  private ProtoJson() {}

  public static JsonObject snapshot(DistrictSnapshot s) {
    JsonArray metrics = new JsonArray();
    for (MetricStats m : s.getMetricsList()) {
      JsonObject metric =
          new JsonObject()
              .put("metric", m.getMetric())
              .put("count", m.getCount())
              .put("min", m.getMin())
              .put("max", m.getMax())
              .put("mean", m.getMean())
              .put("sum", m.getSum());
      if (m.hasP95()) {
        metric.put("p95", m.getP95());
      }
      metrics.add(metric);
    }
    JsonObject byType = new JsonObject();
    s.getCameraEventsByTypeMap().forEach(byType::put);
    JsonObject byCategory = new JsonObject();
    s.getCameraEventsByCategoryMap().forEach(byCategory::put);
    JsonObject subIndices = new JsonObject();
    s.getSubIndicesMap().forEach(subIndices::put);
    return new JsonObject()
        .put("district", s.getDistrict())
        .put("window_start", instant(s.getWindowStartMs()))
        .put("window_end", instant(s.getWindowEndMs()))
        .put("situation_index", s.getSituationIndex())
        .put("sub_indices", subIndices)
        .put("online_rate", s.getOnlineRate())
        .put("devices_online", s.getDevicesOnline())
        .put("devices_total", s.getDevicesTotal())
        .put("open_alerts", s.getOpenAlerts())
        .put("open_incidents", s.getOpenIncidents())
        .put("metrics", metrics)
        .put("camera_events_by_type", byType)
        .put("camera_events_by_category", byCategory)
        .put("generated_at", instant(s.getGeneratedAtMs()));
  }

  public static JsonObject alert(Alert a) {
    return new JsonObject()
        .put("alert_id", a.getAlertId())
        .put("rule_id", a.getRuleId())
        .put("district", a.getDistrict())
        .put("metric", a.getMetric())
        .put("severity", severity(a.getSeverity()))
        .put("state", a.getState().name().replace("ALERT_STATE_", "").toLowerCase(Locale.ROOT))
        .put("value", a.getValue())
        .put("threshold", a.getThreshold())
        .put("raised_at", instant(a.getRaisedAtMs()))
        .put("cleared_at", a.getClearedAtMs() == 0 ? null : instant(a.getClearedAtMs()));
  }

  public static JsonObject incident(Incident i) {
    JsonArray evidence = new JsonArray();
    for (Evidence e : i.getEvidenceList()) {
      JsonObject item =
          new JsonObject()
              .put("device_id", e.getDeviceId())
              .put("seq", e.getSeq())
              .put("event_time", instant(e.getEventTimeMs()))
              .put("kind", e.getKind())
              .put("what", e.getWhat())
              .put("value", e.getValue());
      if (e.hasPosition()) {
        item.put("lat", e.getPosition().getLat()).put("lon", e.getPosition().getLon());
      }
      evidence.add(item);
    }
    return new JsonObject()
        .put("incident_id", i.getIncidentId())
        .put("pattern_id", i.getPatternId())
        .put("district", i.getDistrict())
        .put("severity", severity(i.getSeverity()))
        .put("started_at", instant(i.getStartedAtMs()))
        .put("detected_at", instant(i.getDetectedAtMs()))
        .put("summary", i.getSummary())
        .put("response_plan_id", i.getResponsePlanId().isEmpty() ? null : i.getResponsePlanId())
        .put("alert_ids", new JsonArray(i.getAlertIdsList()))
        .put("evidence", evidence);
  }

  public static String severity(Severity severity) {
    return severity.name().replace("SEVERITY_", "").toLowerCase(Locale.ROOT);
  }

  private static String instant(long ms) {
    return Instant.ofEpochMilli(ms).toString();
  }
}
