package io.citybrain.stream.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.validate.RejectReason;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.proto.v1.Reading;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What one message cannot do to a device's dedup window: throw, jump it ahead, or silence a device
 * that starts counting again.
 */
class DeduplicateLimitsTest {
  private static final long T = 1_790_000_000_000L;
  private KeyedOneInputStreamOperatorTestHarness<String, TelemetryItem, TelemetryItem> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new Deduplicate(Duration.ofMinutes(10), Duration.ofSeconds(30))),
            item -> item.deviceId,
            Types.STRING);
    harness.open();
    harness.processWatermark(new Watermark(T));
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  @DisplayName(
      "seq 2^63 after earlier readings is a dead letter seq_out_of_range, not an exception, and the device goes on")
  void seqBeyondRangeAfterReadings() throws Exception {
    offer(1, 0, T + 1_000);
    offer(2, 0, T + 2_000);
    offer(Long.MIN_VALUE, 0, T + 3_000);
    offer(-1, 0, T + 3_500);
    offer(3, 0, T + 4_000);
    assertThat(clean()).extracting(i -> i.seq).containsExactly(1L, 2L, 3L);
    assertThat(rejected())
        .extracting(r -> r.reason() + " " + r.detail())
        .containsExactly(
            "SEQ_OUT_OF_RANGE seq 9223372036854775808 is outside 1..2^63-1",
            "SEQ_OUT_OF_RANGE seq 18446744073709551615 is outside 1..2^63-1");
  }

  @Test
  @DisplayName(
      "seq 2^63 as a device's first reading is a dead letter, and its first real seq passes")
  void seqBeyondRangeFirst() throws Exception {
    offer(Long.MIN_VALUE, 0, T + 1_000);
    offer(1, 0, T + 2_000);
    assertThat(clean()).extracting(i -> i.seq).containsExactly(1L);
    assertThat(rejected())
        .extracting(Rejection::reason)
        .containsExactly(RejectReason.SEQ_OUT_OF_RANGE);
    assertThat(flagged()).isEmpty();
  }

  @Test
  @DisplayName(
      "a seq 10^6 ahead is a dead letter seq_jump with the item's bytes, and the next real readings are on time")
  void jumpIsRejectedAndDoesNotMoveTheWindow() throws Exception {
    for (long seq = 1; seq <= 5; seq++) {
      offer(seq, 0, T + seq * 1_000);
    }
    offer(1_000_005, 0, T + 5_500);
    for (long seq = 6; seq <= 10; seq++) {
      offer(seq, 0, T + seq * 1_000);
    }
    offer(10 + Deduplicate.DEFAULT_MAX_SEQ_JUMP, 0, T + 11_000); // exactly the limit: passes
    assertThat(clean())
        .extracting(i -> i.seq)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 10_010L);
    assertThat(flagged()).isEmpty();
    assertThat(rejected())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.reason()).isEqualTo(RejectReason.SEQ_JUMP);
              assertThat(r.reason().code()).isEqualTo("seq_jump");
              assertThat(r.detail())
                  .isEqualTo(
                      "seq 1000005 is 1000000 above the device's highest 5; the limit is 10000");
              assertThat(r.topic()).isEqualTo("city/v1/DP/reading/DP-RG-1");
              assertThat(r.district()).isEqualTo("DP");
              Reading back = Reading.parseFrom(r.payload());
              assertThat(back.getSeq()).isEqualTo(1_000_005);
              assertThat(back.getDeviceId()).isEqualTo("DP-RG-1");
            });
  }

  @Test
  @DisplayName(
      "a restarted simulator (seq back to 1 with a new boot id) is not late, not a repeat; a redelivery in it is")
  void newBootIdRestartsTheWindow() throws Exception {
    for (long seq = 1; seq <= 400; seq++) {
      offer(seq, 111, T + seq * 10);
    }
    // The simulator restarts: a new boot id, seqs from 1, its clock a little behind the old run.
    for (long seq = 1; seq <= 5; seq++) {
      offer(seq, 222, T + 3_000 + seq * 10);
    }
    offer(3, 222, T + 3_030); // a redelivery in the new numbering
    assertThat(clean()).hasSize(405);
    assertThat(clean().subList(400, 405))
        .extracting(i -> i.seq)
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(flagged())
        .extracting(i -> i.seq + (i.duplicate ? " duplicate" : "") + (i.late ? " late" : ""))
        .containsExactly("3 duplicate");
    assertThat(rejected()).isEmpty();
  }

  @Test
  @DisplayName(
      "without a boot id, a lower seq whose event time is past every accepted reading restarts the window; a replay does not")
  void restartWithoutBootIdByEventTime() throws Exception {
    for (long seq = 1; seq <= 400; seq++) {
      offer(seq, 0, T + seq * 10);
    }
    offer(100, 0, T + 1_000); // a replay of an old one: same event time, below the bitmap
    offer(1, 0, T + 5_000); // the device restarted: seq 1, later than everything
    offer(2, 0, T + 5_010);
    offer(1, 0, T + 5_000); // its redelivery
    assertThat(clean().subList(400, clean().size())).extracting(i -> i.seq).containsExactly(1L, 2L);
    assertThat(flagged())
        .extracting(i -> i.seq + (i.duplicate ? " duplicate" : "") + (i.late ? " late" : ""))
        .containsExactly("100 late", "1 duplicate");
  }

  @Test
  @DisplayName(
      "under a boot id, a low seq dated later is judged in that numbering, not taken as a restart")
  void lowSeqUnderTheSameBootIdIsNoRestart() throws Exception {
    for (long seq = 1; seq <= 20_000; seq++) {
      offer(seq, 111, T + seq * 10);
    }
    offer(1, 111, T + 400_000); // forged or broken: seq 1, the device's own boot id, a later time
    offer(1, 0, T + 400_001); // the same without a boot id
    offer(20_001, 111, T + 400_010); // the device goes on
    offer(20_002, 111, T + 400_020);
    assertThat(clean().subList(20_000, clean().size()))
        .extracting(i -> i.seq)
        .containsExactly(20_001L, 20_002L);
    assertThat(rejected()).isEmpty();
  }

  @Test
  @DisplayName(
      "without a boot id, one stray low seq does not make the device's next real seqs jumps")
  void strayLowSeqDoesNotSilence() throws Exception {
    for (long seq = 1; seq <= 20_000; seq++) {
      offer(seq, 0, T + seq * 10);
    }
    offer(1, 0, T + 400_000); // taken as a restart (no boot id to tell)
    offer(20_001, 0, T + 400_010); // the old numbering goes on: taken back, not a jump
    offer(20_002, 0, T + 400_020);
    assertThat(clean().subList(20_000, clean().size()))
        .extracting(i -> i.seq)
        .containsExactly(1L, 20_001L, 20_002L);
    assertThat(rejected()).isEmpty();
  }

  @Test
  @DisplayName("the maximum jump is configurable and must be at least 1")
  void maximumJumpIsConfigurable() throws Exception {
    harness.close();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new Deduplicate(Duration.ofMinutes(10), Duration.ofSeconds(30), 10)),
            item -> item.deviceId,
            Types.STRING);
    harness.open();
    offer(1, 0, T + 1_000);
    offer(12, 0, T + 2_000);
    offer(11, 0, T + 3_000);
    assertThat(clean()).extracting(i -> i.seq).containsExactly(1L, 11L);
    assertThat(rejected()).extracting(Rejection::reason).containsExactly(RejectReason.SEQ_JUMP);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new Deduplicate(Duration.ofMinutes(1), Duration.ofSeconds(1), 0))
        .hasMessage("maximum seq jump must be at least 1, was 0");
  }

  private void offer(long seq, long bootId, long eventTimeMs) throws Exception {
    TelemetryItem item = new TelemetryItem();
    item.kind = TelemetryItem.READING;
    item.deviceId = "DP-RG-1";
    item.seq = seq;
    item.bootId = bootId;
    item.eventTimeMs = eventTimeMs;
    item.district = "DP";
    item.metric = "rainfall_mm_h";
    item.value = 4.2;
    harness.processElement(new StreamRecord<>(item, eventTimeMs));
  }

  private List<TelemetryItem> clean() {
    return harness.extractOutputValues();
  }

  private List<TelemetryItem> flagged() {
    return harness.getSideOutput(Deduplicate.FLAGGED) == null
        ? List.of()
        : harness.getSideOutput(Deduplicate.FLAGGED).stream().map(StreamRecord::getValue).toList();
  }

  private List<Rejection> rejected() {
    return harness.getSideOutput(Deduplicate.REJECTED) == null
        ? List.of()
        : harness.getSideOutput(Deduplicate.REJECTED).stream().map(StreamRecord::getValue).toList();
  }
}
