package io.citybrain.stream.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.ingest.validate.RejectReason;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.proto.v1.Reading;
import io.citybrain.stream.dedup.Deduplicate;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A per-item failure becomes a dead letter with the item's bytes; the operator keeps going. */
class DeadLetterOnFailureTest {

  /** Fails on NaN values the way an aggregate that divides or indexes by them might. */
  static final class FailsOnNaN extends KeyedProcessFunction<String, TelemetryItem, TelemetryItem> {
    @Override
    public void processElement(TelemetryItem item, Context ctx, Collector<TelemetryItem> out) {
      if (Double.isNaN(item.value)) {
        throw new ArithmeticException("NaN in the sum");
      }
      if (item.value < 0) {
        throw new FlinkRuntimeException("state backend gone");
      }
      out.collect(item);
    }
  }

  @Test
  @DisplayName(
      "the failing item is a processing_failed dead letter with its bytes; the next one passes")
  void failureIsDeadLettered() throws Exception {
    try (var harness = harness(new DeadLetterOnFailure<>("test-op", new FailsOnNaN()))) {
      harness.processElement(new StreamRecord<>(item(1, Double.NaN), 1_000));
      harness.processElement(new StreamRecord<>(item(2, 4.5), 2_000));
      assertThat(harness.extractOutputValues()).extracting(i -> i.seq).containsExactly(2L);
      assertThat(harness.getSideOutput(DeadLetterOnFailure.FAILED))
          .singleElement()
          .satisfies(
              r -> {
                Rejection dead = r.getValue();
                assertThat(dead.reason()).isEqualTo(RejectReason.PROCESSING_FAILED);
                assertThat(dead.topic()).isEqualTo("city/v1/DP/reading/DP-RG-00001");
                assertThat(dead.district()).isEqualTo("DP");
                assertThat(dead.detail()).contains("test-op", "NaN in the sum");
                Reading back = Reading.parseFrom(dead.payload());
                assertThat(back.getSeq()).isEqualTo(1);
                assertThat(back.getDeviceId()).isEqualTo("DP-RG-00001");
                assertThat(back.getValue()).isNaN();
              });
    }
  }

  @Test
  @DisplayName("a runtime failure (state backend) still fails the task")
  void runtimeFailuresFail() throws Exception {
    try (var harness = harness(new DeadLetterOnFailure<>("test-op", new FailsOnNaN()))) {
      assertThatThrownBy(() -> harness.processElement(new StreamRecord<>(item(1, -1), 1_000)))
          .isInstanceOf(FlinkRuntimeException.class);
    }
  }

  @Test
  @DisplayName("the wrapped dedup keeps its state and side outputs: a repeat is still flagged")
  void wrappedDedupWorks() throws Exception {
    try (var harness =
        harness(
            new DeadLetterOnFailure<>(
                "dedup", new Deduplicate(Duration.ofMinutes(10), Duration.ofSeconds(30))))) {
      harness.processElement(new StreamRecord<>(item(1, 1), 1_000));
      harness.processElement(new StreamRecord<>(item(1, 1), 1_000));
      assertThat(harness.extractOutputValues()).hasSize(1);
      assertThat(harness.getSideOutput(Deduplicate.FLAGGED)).hasSize(1);
      assertThat(harness.getSideOutput(DeadLetterOnFailure.FAILED)).isNull();
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, TelemetryItem, TelemetryItem>
      harness(KeyedProcessFunction<String, TelemetryItem, TelemetryItem> fn) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(fn), (TelemetryItem i) -> i.deviceId, Types.STRING);
    harness.open();
    return harness;
  }

  private static TelemetryItem item(long seq, double value) {
    TelemetryItem item = new TelemetryItem();
    item.kind = TelemetryItem.READING;
    item.deviceId = "DP-RG-00001";
    item.district = "DP";
    item.metric = "rainfall_mm_h";
    item.seq = seq;
    item.eventTimeMs = 1_790_000_000_000L + seq;
    item.value = value;
    return item;
  }
}
