package io.citybrain.stream.dedup;

import io.citybrain.ingest.validate.TelemetryItem;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by device: passes each (device, seq) once, and only while it is on time. A repeat (a redelivery after a failure,
 * a duplicate publish) and an item older than the watermark minus the allowed lateness go to {@link #FLAGGED}, marked,
 * so the raw sink stores or counts them while the aggregates never see them.
 *
 * <p>Why the lateness is decided here and not by the windows: the raw sink must know it when it writes the row (the
 * row's {@code late} flag keeps the batch recomputation equal to the aggregates). The windows downstream see a
 * watermark no later than this operator's, so an item this operator passes is never dropped by them.
 */
public final class Deduplicate extends KeyedProcessFunction<String, TelemetryItem, TelemetryItem> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<TelemetryItem> FLAGGED = new OutputTag<>("flagged") { };
  private final Duration ttl;
  private final long allowedLatenessMs;
  private transient MapState<Long, Boolean> seen;

  public Deduplicate(Duration ttl, Duration allowedLateness) {
    this.ttl = ttl;
    this.allowedLatenessMs = allowedLateness.toMillis();
  }

  @Override
  public void open(OpenContext context) {
    MapStateDescriptor<Long, Boolean> descriptor = new MapStateDescriptor<>("seen-seqs", Types.LONG, Types.BOOLEAN);
    // Per entry: a seq is forgotten ttl after it was first seen (a replay comes back within minutes, not hours).
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl)
        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
        .build());
    seen = getRuntimeContext().getMapState(descriptor);
  }

  @Override
  public void processElement(TelemetryItem item, Context ctx, Collector<TelemetryItem> out) throws Exception {
    if (seen.contains(item.seq)) {
      item.duplicate = true;
      ctx.output(FLAGGED, item);
      return;
    }
    seen.put(item.seq, Boolean.TRUE);
    long watermark = ctx.timerService().currentWatermark();
    if (watermark != Long.MIN_VALUE && item.eventTimeMs + allowedLatenessMs <= watermark) {
      item.late = true;
      ctx.output(FLAGGED, item);
      return;
    }
    out.collect(item);
  }
}
