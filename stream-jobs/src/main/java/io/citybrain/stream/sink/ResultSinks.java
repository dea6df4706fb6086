package io.citybrain.stream.sink;

import io.citybrain.stream.alert.AlertEvent;
import io.citybrain.stream.incident.IncidentEvent;
import io.citybrain.stream.liveness.LivenessChange;
import io.citybrain.stream.metric.EventCount;
import io.citybrain.stream.metric.WindowStats;
import io.citybrain.stream.situation.CityRecord;
import io.citybrain.stream.situation.SituationRecord;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * Where the job stores its results, one sink per table: {@link ResultTables} in PostgreSQL, or a
 * test's own.
 */
public interface ResultSinks {
  Sink<WindowStats> metrics();

  Sink<EventCount> eventCounts();

  Sink<LivenessChange> deviceStatus();

  Sink<LivenessChange> livenessHistory();

  Sink<AlertEvent> alertRaises();

  Sink<AlertEvent> alertClears();

  Sink<IncidentEvent> incidents();

  Sink<SituationRecord> snapshots();

  Sink<CityRecord> citySummary();
}
