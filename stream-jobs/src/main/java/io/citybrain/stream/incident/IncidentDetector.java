package io.citybrain.stream.incident;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.IncidentPattern;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.CEP;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.util.Collector;

/**
 * Compound-incident detection: one keyed CEP operator per seed pattern, each fed only the signals
 * it uses (with a device's repeated first-step signals thinned by {@link FirstStepThrottle}),
 * unioned and passed through {@link IncidentGate}. The result holds each incident once as first
 * detected (revision 0) and then its widenings (the same id, more alerts linked).
 *
 * <p>Expects event-time timestamps and watermarks on the signals. CEP holds each signal until the
 * watermark passes it, so incidents come out one watermark lag after their last signal; signals
 * behind the watermark are dropped by CEP (counted in its {@code numLateRecordsDropped} metric).
 *
 * <p>Operator uids are {@code incident-signals-<pattern>}, {@code incident-throttle-<pattern>}
 * (patterns whose first step takes device signals), {@code incident-cep-<pattern>} and {@code
 * incident-gate}. The CEP state of a pattern is its partial matches: changing a pattern's steps in
 * the seeds and restoring from a savepoint taken with the old steps may not fit; start such a
 * change without that operator's state.
 */
public final class IncidentDetector {
  static final TypeInformation<IncidentEvent> INCIDENT = TypeInformation.of(IncidentEvent.class);
  private static final KeySelector<Signal, String> DISTRICT = new SignalDistrict();

  private IncidentDetector() {}

  /** Incidents of every pattern in the seeds, from signals of all districts. */
  public static DataStream<IncidentEvent> detect(DataStream<Signal> signals, CitySeeds seeds) {
    List<IncidentPattern> patterns = seeds.incidentPatterns();
    for (IncidentPattern p : patterns) {
      if (p.responsePlan() == null || seeds.responsePlan(p.responsePlan()).isEmpty()) {
        throw new IllegalArgumentException(
            "incident pattern " + p.id() + " names unknown response plan " + p.responsePlan());
      }
    }
    DataStream<IncidentEvent> found = null;
    for (IncidentPattern p : patterns) {
      DataStream<IncidentEvent> ofPattern = matches(signals, p);
      found = found == null ? ofPattern : found.union(ofPattern);
    }
    if (found == null) {
      return signals
          .flatMap(new NoIncidents(), INCIDENT)
          .name("incident-none")
          .uid("incident-none");
    }
    return found
        .keyBy(IncidentGate.KEY, Types.STRING)
        .process(IncidentGate.forPatterns(patterns), INCIDENT)
        .name("incident-gate")
        .uid("incident-gate");
  }

  private static DataStream<IncidentEvent> matches(DataStream<Signal> signals, IncidentPattern p) {
    KeyedStream<Signal, String> used =
        signals
            .filter(IncidentPatterns.signalsOf(p))
            .name("incident-signals-" + p.id())
            .uid("incident-signals-" + p.id())
            .keyBy(DISTRICT, Types.STRING);
    FirstStepThrottle throttle = FirstStepThrottle.of(p);
    if (throttle != null) {
      DataStream<Signal> thinned =
          used.process(throttle, TypeInformation.of(Signal.class))
              .name("incident-throttle-" + p.id())
              .uid("incident-throttle-" + p.id());
      used = DataStreamUtils.reinterpretAsKeyedStream(thinned, DISTRICT, Types.STRING);
    }
    return CEP.pattern(used, IncidentPatterns.compile(p), new SignalOrder())
        .inEventTime()
        .process(new IncidentFromMatch(p), INCIDENT)
        .name("incident-cep-" + p.id())
        .uid("incident-cep-" + p.id());
  }

  private static final class SignalDistrict implements KeySelector<Signal, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(Signal s) {
      return s.district;
    }
  }

  private static final class NoIncidents implements FlatMapFunction<Signal, IncidentEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(Signal s, Collector<IncidentEvent> out) {}
  }
}
