package io.citybrain.stream.liveness;

import io.citybrain.ingest.validate.TelemetryItem;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by device: online from its first message, offline when {@code missedIntervals} of its
 * registered reporting intervals pass (in event time) without one, online again at the next. One
 * event-time timer per device at a time: a message only moves the deadline, and an expired timer
 * re-arms itself for the later deadline, so a steady device costs a state update per message and
 * one timer per deadline, not a timer per message.
 *
 * <p>Event time, not the wall clock: replays give the same changes. The price: if the whole city
 * goes silent the watermark stops and nobody is marked offline (a silent district is fine: idleness
 * lets the others move time on).
 */
public final class DeviceLiveness
    extends KeyedProcessFunction<String, TelemetryItem, LivenessChange> {
  private static final long serialVersionUID = 1L;

  /** For devices the registry has no interval for. */
  static final int FALLBACK_INTERVAL_S = 60;

  private final int missedIntervals;
  private transient ValueState<Long> lastSeen;
  private transient ValueState<Long> deadline;
  private transient ValueState<Long> timer;
  private transient ValueState<String> district;
  private transient ValueState<Long> offlineAt;

  public DeviceLiveness(int missedIntervals) {
    this.missedIntervals = missedIntervals;
  }

  @Override
  public void open(OpenContext context) {
    lastSeen = getRuntimeContext().getState(new ValueStateDescriptor<>("last-seen", Types.LONG));
    deadline = getRuntimeContext().getState(new ValueStateDescriptor<>("deadline", Types.LONG));
    timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
    district = getRuntimeContext().getState(new ValueStateDescriptor<>("district", Types.STRING));
    offlineAt = getRuntimeContext().getState(new ValueStateDescriptor<>("offline-at", Types.LONG));
  }

  @Override
  public void processElement(TelemetryItem item, Context ctx, Collector<LivenessChange> out)
      throws Exception {
    Long previous = lastSeen.value();
    if (previous != null && item.eventTimeMs <= previous && deadline.value() != null) {
      return;
    }
    boolean wasOnline = deadline.value() != null;
    if (!wasOnline) {
      // A reading from before the offline deadline can still arrive (within the allowed lateness):
      // the device is back
      // as of now, never before it went offline, so the changes stay in order.
      Long since = offlineAt.value();
      long at = since == null ? item.eventTimeMs : Math.max(item.eventTimeMs, since);
      out.collect(LivenessChange.of(item.deviceId, item.district, true, at, item.eventTimeMs));
      district.update(item.district);
      offlineAt.clear();
    }
    lastSeen.update(Math.max(item.eventTimeMs, previous == null ? Long.MIN_VALUE : previous));
    long due =
        lastSeen.value()
            + (long) missedIntervals
                * (item.intervalS > 0 ? item.intervalS : FALLBACK_INTERVAL_S)
                * 1000L;
    deadline.update(due);
    if (timer.value() == null) {
      ctx.timerService().registerEventTimeTimer(due);
      timer.update(due);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<LivenessChange> out)
      throws Exception {
    timer.clear();
    Long due = deadline.value();
    if (due == null) {
      return;
    }
    if (due > timestamp) {
      // Messages moved the deadline since this timer was set.
      ctx.timerService().registerEventTimeTimer(due);
      timer.update(due);
      return;
    }
    deadline.clear();
    offlineAt.update(due);
    out.collect(
        LivenessChange.of(ctx.getCurrentKey(), district.value(), false, due, lastSeen.value()));
  }
}
