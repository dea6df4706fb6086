package io.citybrain.stream.time;

import io.citybrain.ingest.source.MqttRecord;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;

/**
 * One lane's watermark: bounded out-of-orderness over the event times it was given, idle after a
 * quiet spell; when every lane of its source subtask is quiet, it first emits the highest watermark
 * among them, then goes idle.
 *
 * <p>Why the flush: Flink combines a subtask's lanes by the minimum over the active ones, so when
 * all fall quiet the subtask's time stops at whichever lane fell quiet last. That depends on the
 * order lanes went quiet (a restored job's lanes fall quiet together), and a restored job would
 * close fewer windows than an uninterrupted one. With the flush both end at the same time: the
 * latest event time any lane saw, less the bound.
 */
final class LaneClock implements WatermarkGenerator<MqttRecord> {
  private final LaneGroup group;
  private final long boundMs;
  private final long idleNanos;
  private final RelativeClock clock;
  private long maxEventTime = Long.MIN_VALUE;
  private long events;
  private long eventsSeen;
  private long quietSinceNanos = -1;
  private long lastEmitNanos;
  private boolean quiet;
  private boolean flushed;

  LaneClock(LaneGroup group, long boundMs, long idleMs, RelativeClock clock) {
    this.group = group;
    this.boundMs = boundMs;
    this.idleNanos = idleMs * 1_000_000L;
    this.clock = clock;
    this.lastEmitNanos = clock.relativeTimeNanos();
    group.add(this);
  }

  @Override
  public void onEvent(MqttRecord event, long timestamp, WatermarkOutput output) {
    // Not even activity: a lane fed only rejected messages goes idle instead of holding the
    // city's watermark where it was.
    if (timestamp == TimestampAssigner.NO_TIMESTAMP) {
      return;
    }
    maxEventTime = Math.max(maxEventTime, timestamp);
    events++;
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    long now = clock.relativeTimeNanos();
    lastEmitNanos = now;
    if (events != eventsSeen) {
      eventsSeen = events;
      quietSinceNanos = -1;
      quiet = false;
      flushed = false;
    } else if (quietSinceNanos < 0) {
      quietSinceNanos = now;
    } else if (now - quietSinceNanos > idleNanos) {
      quiet = true;
    }
    if (!quiet) {
      output.emitWatermark(new Watermark(watermarkOf(maxEventTime)));
    } else if (!flushed && group.allQuiet(now, idleNanos)) {
      // Emitted, not idle, for this period: the subtask's combined watermark takes it.
      flushed = true;
      output.emitWatermark(new Watermark(watermarkOf(group.maxEventTime())));
    } else {
      output.markIdle();
    }
  }

  long maxEventTime() {
    return maxEventTime;
  }

  /** Quiet, or no longer asked to emit (a generator of a finished attempt or released lane). */
  boolean quietAt(long now, long idleNanos) {
    return quiet || now - lastEmitNanos > idleNanos;
  }

  private long watermarkOf(long eventTime) {
    return eventTime == Long.MIN_VALUE ? Long.MIN_VALUE : eventTime - boundMs - 1;
  }
}
