package io.citybrain.stream;

import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.stream.incident.IncidentDetector;
import io.citybrain.stream.incident.IncidentEvent;
import io.citybrain.stream.incident.IncidentPatterns;
import io.citybrain.stream.incident.Signal;
import io.citybrain.stream.incident.UsedSignals;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Wires the CEP incident detection into the job: alert signals and the telemetry it looks at. */
final class IncidentWiring {
  private IncidentWiring() {}

  static DataStream<IncidentEvent> detect(
      DataStream<Signal> alertSignals, DataStream<TelemetryItem> clean, CitySeeds seeds) {
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
    return IncidentDetector.detect(alertSignals.union(telemetry), seeds);
  }
}
