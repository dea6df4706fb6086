package io.citybrain.stream.incident;

import io.citybrain.seeds.IncidentPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Thins a device's repeated first-step signals to one per {@code within/10} in event time, per
 * district.
 *
 * <p>Why: CEP opens a partial match for every signal that fits a pattern's first step, and every
 * open partial match handles every later signal, so a camera that re-reports smoke or an accident
 * every second for the whole time bound costs time quadratic in its reports (measured: 4,000
 * repeats in 4 minutes took about two minutes). Alerts and signals that fit only later steps pass
 * untouched. A device's reports within the spacing carry the same device and position, so matches
 * are still found; the cost is that a match whose first signal was a dropped repeat is found from
 * the kept report before it, or not at all when that earlier report's time bound has run out (at
 * most the spacing, a tenth of the bound). Decided in arrival order, as a device's reports normally
 * arrive in order.
 */
final class FirstStepThrottle extends KeyedProcessFunction<String, Signal, Signal> {
  private static final long serialVersionUID = 1L;

  /** Kept first-step reports per device per time bound. */
  static final int PER_BOUND = 10;

  private final UsedSignals firstStep;
  private final long spacingMs;

  /** deviceId/name -> event time of the last kept report. */
  private transient MapState<String, Long> lastKept;

  FirstStepThrottle(UsedSignals firstStep, long spacingMs) {
    this.firstStep = firstStep;
    this.spacingMs = spacingMs;
  }

  /**
   * The throttle for a pattern whose first step can take device signals, or null when it takes only
   * alerts.
   */
  static FirstStepThrottle of(IncidentPattern p) {
    if (p.isStorm()) {
      return null;
    }
    List<StepMatcher> first =
        new ArrayList<>(IncidentPatterns.alternatives(p.id(), p.steps().get(0)));
    first.removeIf(StepMatcher::takesAlerts);
    return first.isEmpty()
        ? null
        : new FirstStepThrottle(
            new UsedSignals(first), Math.max(1, p.withinMinutes() * 60_000L / PER_BOUND));
  }

  @Override
  public void open(OpenContext openContext) {
    lastKept =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("last-kept", String.class, Long.class));
  }

  @Override
  public void processElement(Signal s, Context ctx, Collector<Signal> out) throws Exception {
    if (s.deviceId == null || !firstStep.uses(s)) {
      out.collect(s);
      return;
    }
    String device = s.deviceId + "/" + s.name;
    Long last = lastKept.get(device);
    if (last != null && Math.abs(s.timeMs - last) < spacingMs) {
      return;
    }
    out.collect(s);
    lastKept.put(device, last == null ? s.timeMs : Math.max(last, s.timeMs));
    // One timer per spacing bucket, so a burst registers few timers.
    ctx.timerService().registerEventTimeTimer((s.timeMs / spacingMs + 2) * spacingMs);
  }

  /**
   * Forgets devices whose last kept report is older than the spacing: quiet devices hold no state.
   */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Signal> out) throws Exception {
    List<String> quiet = new ArrayList<>();
    for (Map.Entry<String, Long> e : lastKept.entries()) {
      if (e.getValue() + spacingMs <= timestamp) {
        quiet.add(e.getKey());
      }
    }
    for (String device : quiet) {
      lastKept.remove(device);
    }
  }
}
