package io.citybrain.stream.dedup;

import io.citybrain.ingest.validate.RejectReason;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by device: passes each (device, seq) once, and only while it is on time. A repeat (a
 * redelivery after a failure, a duplicate publish) and an item older than the watermark minus the
 * allowed lateness go to {@link #FLAGGED}, marked, so the raw sink stores or counts them while the
 * aggregates never see them.
 *
 * <p>State per device: the highest seq seen and a bitmap of the {@link SeqWindow#SIZE} seqs below
 * it (seqs rise by one per message), forgotten after the TTL without recorded messages. A seq older
 * than the bitmap cannot be told apart from a repeat; it goes the late way (stored raw
 * idempotently, left out of the aggregates) rather than being dropped. Only an item that passes is
 * recorded: a late, repeated or rejected one never moves the window.
 *
 * <p>What one message cannot do: a seq more than the maximum jump above the highest is a dead
 * letter {@code seq_jump} on {@link #REJECTED} (else one forged seq would make every later real one
 * too old); a new boot id, or a lower seq whose event time is later than all recorded ones (a
 * device that restarted its numbering without a boot id), starts the window again, so a rebooted
 * device or a restarted simulator is never silenced. A jump that is real (a device that skipped
 * ahead without a new boot id) costs at most the TTL: the window is not written meanwhile.
 *
 * <p>Why the lateness is decided here and not by the windows: the raw sink must know it when it
 * writes the row (the row's {@code late} flag keeps the batch recomputation equal to the
 * aggregates). The windows downstream see a watermark no later than this operator's, so an item
 * this operator passes is never dropped by them. Watermarks are not part of checkpoints, so the
 * highest one seen is: after a restore, replayed items are judged against it, not against a
 * watermark that starts from nothing.
 *
 * <p>{@value #BEHIND_METRIC} counts the items that pass as new although they came at or behind the
 * watermark (late ones included; repeats, such as the copies a restore brings back, not): out of
 * order by more than the out-of-orderness bound. The windows still take them within the allowed
 * lateness, but a live picture that is out does not change, so a count above zero says the bound is
 * smaller than the devices' skew and the pictures depend on timing.
 */
public final class Deduplicate extends KeyedProcessFunction<String, TelemetryItem, TelemetryItem>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<TelemetryItem> FLAGGED = new OutputTag<>("flagged") {};

  /** Items refused here (a seq jump): dead letters like validation's. */
  public static final OutputTag<Rejection> REJECTED = new OutputTag<>("dedup-rejected") {};

  /**
   * How far above a device's highest seq the next may be: 10,000 messages, a day of a device
   * reporting every 10 s, far more than any real gap within the TTL.
   */
  public static final long DEFAULT_MAX_SEQ_JUMP = 10_000;

  /** New items that came at or behind the watermark. */
  public static final String BEHIND_METRIC = "itemsBehindWatermark";

  private final Duration ttl;
  private final long allowedLatenessMs;
  private final long maxSeqJump;
  private transient ValueState<SeqWindow> seen;
  private transient ListState<Long> watermarkState;
  private transient long watermarkFloor = Long.MIN_VALUE;
  private transient long highestWatermark = Long.MIN_VALUE;
  private transient Counter behind;

  public Deduplicate(Duration ttl, Duration allowedLateness) {
    this(ttl, allowedLateness, DEFAULT_MAX_SEQ_JUMP);
  }

  public Deduplicate(Duration ttl, Duration allowedLateness, long maxSeqJump) {
    if (maxSeqJump < 1) {
      throw new IllegalArgumentException("maximum seq jump must be at least 1, was " + maxSeqJump);
    }
    this.ttl = ttl;
    this.allowedLatenessMs = allowedLateness.toMillis();
    this.maxSeqJump = maxSeqJump;
  }

  @Override
  public void open(OpenContext context) {
    ValueStateDescriptor<SeqWindow> descriptor =
        new ValueStateDescriptor<>("seen-seqs", TypeInformation.of(SeqWindow.class));
    // A device silent for the TTL is forgotten: its next seqs are taken as new.
    descriptor.enableTimeToLive(
        StateTtlConfig.newBuilder(ttl)
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
            .build());
    seen = getRuntimeContext().getState(descriptor);
    behind = getRuntimeContext().getMetricGroup().counter(BEHIND_METRIC);
  }

  @Override
  public void processElement(TelemetryItem item, Context ctx, Collector<TelemetryItem> out)
      throws Exception {
    SeqWindow window = seen.value();
    if (window == null) {
      window = new SeqWindow();
    }
    SeqWindow.Outcome outcome = window.judge(item.seq, item.bootId, item.eventTimeMs, maxSeqJump);
    if (outcome == SeqWindow.Outcome.JUMP || outcome == SeqWindow.Outcome.OUT_OF_RANGE) {
      ctx.output(REJECTED, rejection(item, outcome, window));
      return;
    }
    if (outcome == SeqWindow.Outcome.REPEAT) {
      item.duplicate = true;
      ctx.output(FLAGGED, item);
      return;
    }
    long watermark = Math.max(ctx.timerService().currentWatermark(), watermarkFloor);
    highestWatermark = Math.max(highestWatermark, watermark);
    if (watermark != Long.MIN_VALUE && item.eventTimeMs <= watermark) {
      behind.inc();
    }
    if (outcome == SeqWindow.Outcome.TOO_OLD
        || (watermark != Long.MIN_VALUE && item.eventTimeMs + allowedLatenessMs <= watermark)) {
      item.late = true;
      ctx.output(FLAGGED, item);
      return;
    }
    window.record(item.seq, item.bootId, item.eventTimeMs, outcome);
    seen.update(window);
    out.collect(item);
  }

  private Rejection rejection(TelemetryItem item, SeqWindow.Outcome outcome, SeqWindow window) {
    String detail =
        outcome == SeqWindow.Outcome.JUMP
            ? "seq "
                + item.seq
                + " is "
                + (item.seq - window.highest)
                + " above the device's highest "
                + window.highest
                + "; the limit is "
                + maxSeqJump
            : "seq " + Long.toUnsignedString(item.seq) + " is outside 1..2^63-1";
    return new Rejection(
        item.topic(),
        item.district,
        outcome == SeqWindow.Outcome.JUMP ? RejectReason.SEQ_JUMP : RejectReason.SEQ_OUT_OF_RANGE,
        detail,
        item.toMessage().toByteArray());
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    watermarkState.update(List.of(highestWatermark));
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    watermarkState =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("highest-watermark", Types.LONG));
    if (context.isRestored()) {
      // Every subtask's highest watermark comes back to every subtask: the lowest is safe for all
      // of them.
      List<Long> restored = new ArrayList<>();
      watermarkState.get().forEach(restored::add);
      watermarkFloor = restored.stream().mapToLong(Long::longValue).min().orElse(Long.MIN_VALUE);
      highestWatermark = watermarkFloor;
    }
  }
}
