package io.citybrain.stream.liveness;

import io.citybrain.ingest.validate.TelemetryItem;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by device: online from its earliest message, offline when {@code missedIntervals} of its
 * registered reporting intervals pass (in event time) without one, online again at the next.
 *
 * <p>Every change is announced when the watermark passes its time, by an event-time timer at that
 * time, never when a message happens to arrive: a camera's detection and its heartbeat 40 ms later
 * travel on different lanes, and whichever arrived first used to set the online time (after a
 * restore, with one lane's backlog draining first, that moved hundreds of devices into the next
 * window). Now any arrival order within the out-of-orderness bound gives the same changes at the
 * same times ({@link DeviceTimeline}). One timer per device at a time: a message that moves the
 * deadline later leaves the timer where it is, and the timer re-arms itself when it fires early;
 * only a change that comes earlier than the timer moves it.
 *
 * <p>A message behind the watermark (within the allowed lateness) cannot change what was announced:
 * a device announced offline comes back as of then, never before it went offline, so the changes
 * stay in order. Event time, not the wall clock: replays give the same changes. The price: if the
 * whole city goes silent the watermark stops and no change is announced.
 */
public final class DeviceLiveness
    extends KeyedProcessFunction<String, TelemetryItem, LivenessChange> {
  private static final long serialVersionUID = 1L;

  /** For devices the registry has no interval for. */
  static final int FALLBACK_INTERVAL_S = 60;

  private static final long NONE = DeviceTimeline.NONE;
  private final int missedIntervals;
  private transient ValueState<DeviceTimeline> timeline;
  private transient ValueState<String> district;

  /**
   * The layout before {@link DeviceTimeline}: read once per device, so older savepoints restore.
   */
  private transient ValueState<Long> earlierLastSeen;

  private transient ValueState<Long> earlierDeadline;
  private transient ValueState<Long> earlierTimer;
  private transient ValueState<Long> earlierOfflineAt;

  public DeviceLiveness(int missedIntervals) {
    this.missedIntervals = missedIntervals;
  }

  @Override
  public void open(OpenContext context) {
    timeline =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("timeline", TypeInformation.of(DeviceTimeline.class)));
    district = getRuntimeContext().getState(new ValueStateDescriptor<>("district", Types.STRING));
    earlierLastSeen = longState("last-seen");
    earlierDeadline = longState("deadline");
    earlierTimer = longState("timer");
    earlierOfflineAt = longState("offline-at");
  }

  private ValueState<Long> longState(String name) {
    return getRuntimeContext().getState(new ValueStateDescriptor<>(name, Types.LONG));
  }

  /** This device's timeline, from the earlier layout if a restored savepoint has only that. */
  private DeviceTimeline current() throws Exception {
    DeviceTimeline t = timeline.value();
    if (t != null) {
      return t;
    }
    t = new DeviceTimeline();
    Long lastSeen = earlierLastSeen.value();
    if (lastSeen != null) {
      Long deadline = earlierDeadline.value();
      Long timer = earlierTimer.value();
      t.lastSeenMs = lastSeen;
      t.silenceMs = deadline == null ? 0 : deadline - lastSeen;
      t.offlineAtMs =
          deadline != null
              ? NONE
              : earlierOfflineAt.value() == null ? lastSeen : earlierOfflineAt.value();
      t.timerMs = timer == null ? NONE : timer;
      earlierLastSeen.clear();
      earlierDeadline.clear();
      earlierTimer.clear();
      earlierOfflineAt.clear();
    }
    return t;
  }

  @Override
  public void processElement(TelemetryItem item, Context ctx, Collector<LivenessChange> out)
      throws Exception {
    DeviceTimeline t = current();
    if (!item.district.equals(district.value())) {
      district.update(item.district);
    }
    t.silenceMs =
        (long) missedIntervals
            * (item.intervalS > 0 ? item.intervalS : FALLBACK_INTERVAL_S)
            * 1000L;
    long at = item.eventTimeMs;
    if (at > ctx.timerService().currentWatermark() || t.online()) {
      // Ahead of the watermark, or behind it while the run it extends is still open.
      t.add(at);
    } else if (t.lastSeenMs == NONE || at > t.lastSeenMs) {
      // Behind the watermark after the device was announced offline (or before its first
      // announcement): back as of the offline announcement at the earliest.
      long since = t.offlineAtMs == NONE ? at : Math.max(at, t.offlineAtMs);
      out.collect(LivenessChange.of(item.deviceId, item.district, true, since, at));
      t.backOnline(at);
    }
    arm(t, ctx.timerService());
    timeline.update(t);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<LivenessChange> out)
      throws Exception {
    DeviceTimeline t = current();
    if (t.timerMs == timestamp) {
      t.timerMs = NONE;
    }
    // One change per timer: each is announced by the timer at its own time, so its record
    // carries that time as its timestamp.
    long due = t.nextChangeMs();
    if (due != NONE && due <= timestamp) {
      if (t.online()) {
        t.wentOffline(due);
        out.collect(
            LivenessChange.of(ctx.getCurrentKey(), district.value(), false, due, t.lastSeenMs));
      } else {
        t.firstPendingOnline();
        out.collect(LivenessChange.of(ctx.getCurrentKey(), district.value(), true, due, due));
      }
    }
    arm(t, ctx.timerService());
    timeline.update(t);
  }

  /**
   * A timer at the next change, unless one at or before it is registered already (it re-arms when
   * it fires).
   */
  private static void arm(DeviceTimeline t, TimerService timers) {
    long next = t.nextChangeMs();
    if (next != NONE && (t.timerMs == NONE || next < t.timerMs)) {
      if (t.timerMs != NONE) {
        // Rare: an earlier message arrived after a later one set the timer.
        timers.deleteEventTimeTimer(t.timerMs);
      }
      timers.registerEventTimeTimer(next);
      t.timerMs = next;
    }
  }
}
