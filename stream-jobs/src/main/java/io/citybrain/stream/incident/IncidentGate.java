package io.citybrain.stream.incident;

import io.citybrain.seeds.IncidentPattern;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * incident rather than one per extra camera event. Keyed by {@link #KEY} (district and pattern).
 */
public final class IncidentGate extends KeyedProcessFunction<String, IncidentEvent, IncidentEvent> {
  private static final long serialVersionUID = 1L;

  /** The gate's key: district and pattern. */
  public static final KeySelector<IncidentEvent, String> KEY = new DistrictAndPattern();

  private final HashMap<String, Long> activeMsByPattern;
  private transient ValueState<Long> activeUntil;

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
      return;
    }
    out.collect(incident);
    move(ctx, until, newUntil);
  }

  /** The incident has ended: forget it, so idle (district, pattern) keys hold no state. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<IncidentEvent> out)
      throws Exception {
    Long until = activeUntil.value();
    if (until != null && until == timestamp) {
      activeUntil.clear();
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
