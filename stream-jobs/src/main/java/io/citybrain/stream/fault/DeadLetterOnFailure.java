package io.citybrain.stream.fault;

import io.citybrain.ingest.sink.ItemBytes;
import io.citybrain.ingest.validate.RejectReason;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.util.FunctionUtils;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.OutputTag;

/**
 * Runs a keyed function over telemetry items and turns a per-item failure into a dead letter
 * ({@link #FAILED}, reason {@code processing_failed}, the exception in the detail, the item's
 * bytes) instead of a failed task: at QoS 1 the broker would hand the same item back after the
 * restart, and the job would loop.
 *
 * <p>Only failures of the per-item work are caught: a {@link FlinkRuntimeException} (the state
 * backend, the runtime) and checked exceptions still fail the task, where a restart is the cure.
 * State, timers and checkpoints are the wrapped function's, unchanged.
 */
public final class DeadLetterOnFailure<K, O> extends KeyedProcessFunction<K, TelemetryItem, O>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  /** Items an operator failed on, as dead letters. */
  public static final OutputTag<Rejection> FAILED = new OutputTag<>("failed-items") {};

  private static final int MAX_DETAIL = 500;
  private final KeyedProcessFunction<K, TelemetryItem, O> inner;
  private final String operator;
  private transient Counter failures;

  public DeadLetterOnFailure(String operator, KeyedProcessFunction<K, TelemetryItem, O> inner) {
    this.operator = operator;
    this.inner = inner;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    // Called before open: the wrapped function may need its runtime context already.
    FunctionUtils.setFunctionRuntimeContext(inner, getRuntimeContext());
    if (inner instanceof CheckpointedFunction checkpointed) {
      checkpointed.initializeState(context);
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    if (inner instanceof CheckpointedFunction checkpointed) {
      checkpointed.snapshotState(context);
    }
  }

  @Override
  public void open(OpenContext context) throws Exception {
    FunctionUtils.setFunctionRuntimeContext(inner, getRuntimeContext());
    FunctionUtils.openFunction(inner, context);
    failures = getRuntimeContext().getMetricGroup().counter("itemsFailed");
  }

  @Override
  public void close() throws Exception {
    FunctionUtils.closeFunction(inner);
  }

  @Override
  public void processElement(TelemetryItem item, Context ctx, Collector<O> out) throws Exception {
    try {
      inner.processElement(item, ctx, out);
    } catch (FlinkRuntimeException e) {
      throw e;
    } catch (RuntimeException e) {
      failures.inc();
      ctx.output(FAILED, rejection(operator, item, e));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<O> out) throws Exception {
    inner.onTimer(timestamp, ctx, out);
  }

  /** The dead letter for an item {@code operator} failed on. */
  static Rejection rejection(String operator, TelemetryItem item, RuntimeException e) {
    String detail = operator + " failed on " + item + ": " + e;
    return new Rejection(
        ItemBytes.topic(item),
        item.district,
        RejectReason.PROCESSING_FAILED,
        detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail,
        ItemBytes.payload(item));
  }
}
