package io.citybrain.stream;

import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.proto.ResultJson;
import io.citybrain.proto.Severities;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.Evidence;
import io.citybrain.proto.v1.Incident;
import io.citybrain.proto.v1.Position;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.stream.incident.EvidenceItem;
import io.citybrain.stream.incident.IncidentDetector;
import io.citybrain.stream.incident.IncidentEvent;
import io.citybrain.stream.incident.IncidentPatterns;
import io.citybrain.stream.incident.Signal;
import io.citybrain.stream.incident.UsedSignals;
import io.citybrain.stream.sink.Publication;
import io.citybrain.stream.sink.ResultPublisher;
import io.citybrain.stream.sink.ResultTables;
import io.citybrain.stream.situation.DistrictUpdate;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Wires the CEP incident detection into the job: its inputs, its table and topic, its count per
 * district.
 */
final class IncidentWiring {
  private IncidentWiring() {}

  static DataStream<DistrictUpdate> wire(
      DataStream<Signal> alertSignals,
      DataStream<TelemetryItem> clean,
      CitySeeds seeds,
      ResultTables tables,
      CityJobConfig config) {
    UsedSignals used = IncidentPatterns.signalsOf(seeds.incidentPatterns());
    // Only what some pattern looks at goes on: most readings and camera events concern no pattern.
    DataStream<Signal> telemetry =
        clean
            .filter(item -> item.isCamera() || item.isReading())
            .name("cep-candidates")
            .uid("cep-candidates")
            .map(Signal::of)
            .name("to-signal")
            .uid("to-signal")
            .filter(used)
            .name("cep-used")
            .uid("cep-used");
    DataStream<IncidentEvent> incidents =
        IncidentDetector.detect(alertSignals.union(telemetry), seeds);
    incidents.sinkTo(incidentTable(tables)).name("incident-table").uid("incident-table");
    if (config.publishResults) {
      incidents
          .map(i -> Publication.of(Topics.incident(i.district), proto(i).toByteArray(), false))
          .name("incident-topic")
          .uid("incident-topic")
          .sinkTo(new ResultPublisher(config.brokerUrl, config.clientIdPrefix + "-incidents"))
          .name("publish-incidents")
          .uid("publish-incidents");
    }
    return incidents
        .map(i -> DistrictUpdate.incident(i.district, i.incidentId, i.detectedAtMs))
        .name("incident-update")
        .uid("incident-update");
  }

  /**
   * Incidents are inserted once; their state (open, responding, closed) belongs to the command API
   * from then on.
   */
  private static JdbcSink<IncidentEvent> incidentTable(ResultTables tables) {
    return tables.sink(
        """
        INSERT INTO incident (incident_id, pattern_id, district, severity, started_at, detected_at, summary, evidence,
                              response_plan_id, alert_ids)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)
        ON CONFLICT (incident_id) DO NOTHING""",
        (ps, i) -> {
          ps.setString(1, i.incidentId);
          ps.setString(2, i.patternId);
          ps.setString(3, i.district);
          ps.setString(4, i.severity);
          ps.setObject(5, ResultTables.time(i.startedAtMs));
          ps.setObject(6, ResultTables.time(i.detectedAtMs));
          ps.setString(7, i.summary);
          ps.setString(8, ResultJson.encode(ResultJson.evidence(proto(i).getEvidenceList())));
          ps.setString(9, i.responsePlanId);
          ps.setArray(10, ps.getConnection().createArrayOf("text", i.alertIds.toArray()));
        });
  }

  static Incident proto(IncidentEvent i) {
    Incident.Builder b =
        Incident.newBuilder()
            .setIncidentId(i.incidentId)
            .setPatternId(i.patternId)
            .setDistrict(i.district)
            .setSeverity(Severities.of(i.severity))
            .setStartedAtMs(i.startedAtMs)
            .setDetectedAtMs(i.detectedAtMs)
            .setSummary(i.summary)
            .addAllAlertIds(i.alertIds);
    if (i.responsePlanId != null) {
      b.setResponsePlanId(i.responsePlanId);
    }
    for (EvidenceItem e : i.evidence) {
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
}
