package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.stream.dedup.Deduplicate;
import io.citybrain.stream.testing.OperatorMetrics;
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
 * The dedup operator's keyed state: repeats and late items are flagged, the TTL forgets old seqs.
 */
class DeduplicateTest {
  private final OperatorMetrics metrics = new OperatorMetrics();
  private KeyedOneInputStreamOperatorTestHarness<String, TelemetryItem, TelemetryItem> harness;

  @BeforeEach
  void open() throws Exception {
    harness = harness(metrics);
    harness.open();
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, TelemetryItem, TelemetryItem>
      harness(OperatorMetrics metrics) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new Deduplicate(Duration.ofMinutes(10), Duration.ofSeconds(30))),
        item -> item.deviceId,
        Types.STRING,
        metrics.environment());
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  @DisplayName(
      "the same (device, seq) passes once; repeats are flagged duplicate; another device's seq is its own")
  void repeatsAreFlagged() throws Exception {
    harness.processElement(record("DP-RG-1", 1, 1_000));
    harness.processElement(record("DP-RG-1", 2, 2_000));
    harness.processElement(record("DP-RG-1", 1, 1_000));
    harness.processElement(record("DP-RG-2", 1, 1_000));
    assertThat(clean())
        .extracting(i -> i.deviceId + "#" + i.seq)
        .containsExactly("DP-RG-1#1", "DP-RG-1#2", "DP-RG-2#1");
    assertThat(flagged())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.duplicate).isTrue();
              assertThat(i.late).isFalse();
              assertThat(i.seq).isEqualTo(1);
            });
  }

  @Test
  @DisplayName(
      "an item older than the watermark minus the allowed lateness is flagged late, and so is a repeat of it: a late item is not recorded")
  void lateItemsAreFlagged() throws Exception {
    harness.processWatermark(new Watermark(100_000));
    harness.processElement(record("DP-RG-1", 1, 70_001)); // 29.999 s behind: on time
    harness.processElement(record("DP-RG-1", 2, 70_000)); // exactly 30 s behind: late
    harness.processElement(record("DP-RG-1", 2, 70_000));
    harness.processElement(record("DP-RG-1", 1, 70_001));
    assertThat(clean()).extracting(i -> i.seq).containsExactly(1L);
    assertThat(flagged())
        .extracting(i -> i.seq + (i.late ? " late" : "") + (i.duplicate ? " duplicate" : ""))
        .containsExactly("2 late", "2 late", "1 duplicate");
  }

  @Test
  @DisplayName(
      "a late item far ahead in seq does not move the window: the device's next on-time readings pass")
  void lateItemDoesNotMoveTheWindow() throws Exception {
    harness.processWatermark(new Watermark(100_000));
    harness.processElement(record("DP-RG-1", 1, 90_000));
    harness.processElement(record("DP-RG-1", 5_000, 10_000)); // late, 4,999 ahead
    harness.processElement(record("DP-RG-1", 2, 91_000));
    harness.processElement(record("DP-RG-1", 3, 92_000));
    assertThat(clean()).extracting(i -> i.seq).containsExactly(1L, 2L, 3L);
    assertThat(flagged())
        .extracting(i -> i.seq + (i.late ? " late" : ""))
        .containsExactly("5000 late");
  }

  @Test
  @DisplayName(
      "a device's seqs are forgotten after the TTL without messages (processing time); before it, remembered")
  void ttlForgets() throws Exception {
    harness.setStateTtlProcessingTime(0);
    harness.processElement(record("DP-RG-1", 1, 1_000));
    harness.setStateTtlProcessingTime(Duration.ofMinutes(9).toMillis());
    harness.processElement(record("DP-RG-1", 1, 1_000));
    harness.setStateTtlProcessingTime(Duration.ofMinutes(21).toMillis());
    harness.processElement(record("DP-RG-1", 1, 1_000));
    assertThat(clean()).hasSize(2);
    assertThat(flagged()).hasSize(1);
  }

  @Test
  @DisplayName(
      "seqs out of order within the window pass once each; a seq older than the window goes the late way")
  void window() throws Exception {
    harness.processElement(record("DP-RG-1", 300, 1_000));
    harness.processElement(record("DP-RG-1", 100, 1_000));
    harness.processElement(record("DP-RG-1", 299, 1_000));
    harness.processElement(record("DP-RG-1", 100, 1_000));
    harness.processElement(record("DP-RG-1", 43, 1_000)); // 300 - 1 - 43 = 256: just outside
    harness.processElement(record("DP-RG-1", 600, 1_000));
    harness.processElement(record("DP-RG-1", 300, 1_000)); // now 299 back: outside, though seen
    assertThat(clean()).extracting(i -> i.seq).containsExactly(300L, 100L, 299L, 600L);
    assertThat(flagged())
        .extracting(i -> i.seq + (i.late ? " late" : "") + (i.duplicate ? " duplicate" : ""))
        .containsExactly("100 duplicate", "43 late", "300 late");
  }

  @Test
  @DisplayName(
      "after a restore, replayed items are judged against the highest watermark before the failure")
  void watermarkSurvivesRestore() throws Exception {
    harness.processWatermark(new Watermark(100_000));
    harness.processElement(record("DP-RG-1", 1, 95_000));
    var snapshot = harness.snapshot(1, 1);
    harness.close();
    harness = harness(new OperatorMetrics());
    harness.initializeState(snapshot);
    harness.open();
    harness.processElement(record("DP-RG-1", 1, 95_000)); // a replay: still known
    harness.processElement(
        record("DP-RG-1", 2, 60_000)); // no watermark yet in this attempt, yet late
    harness.processElement(record("DP-RG-1", 3, 80_000));
    assertThat(clean()).extracting(i -> i.seq).containsExactly(3L);
    assertThat(flagged())
        .extracting(i -> i.seq + (i.late ? " late" : "") + (i.duplicate ? " duplicate" : ""))
        .containsExactly("1 duplicate", "2 late");
  }

  @Test
  @DisplayName(
      "a new item behind the watermark is counted, late ones included; repeats and items ahead are"
          + " not")
  void behindTheWatermarkIsCounted() throws Exception {
    harness.processElement(record("DP-RG-1", 1, 50_000)); // no watermark yet
    harness.processWatermark(new Watermark(100_000));
    harness.processElement(record("DP-RG-1", 2, 100_001));
    assertThat(metrics.count(Deduplicate.BEHIND_METRIC)).isZero();
    harness.processElement(record("DP-RG-1", 3, 100_000)); // on the watermark
    harness.processElement(record("DP-RG-1", 4, 80_000)); // behind, within the lateness
    harness.processElement(record("DP-RG-1", 3, 100_000)); // a repeat
    harness.processElement(record("DP-RG-1", 5, 60_000)); // behind by more than the lateness
    assertThat(metrics.count(Deduplicate.BEHIND_METRIC)).isEqualTo(3);
    assertThat(clean()).extracting(i -> i.seq).containsExactly(1L, 2L, 3L, 4L);
    assertThat(flagged())
        .extracting(i -> i.seq + (i.late ? " late" : "") + (i.duplicate ? " duplicate" : ""))
        .containsExactly("3 duplicate", "5 late");
  }

  private List<TelemetryItem> clean() {
    return harness.extractOutputValues();
  }

  private List<TelemetryItem> flagged() {
    return harness.getSideOutput(Deduplicate.FLAGGED).stream().map(StreamRecord::getValue).toList();
  }

  static StreamRecord<TelemetryItem> record(String device, long seq, long eventTimeMs) {
    TelemetryItem item = new TelemetryItem();
    item.kind = TelemetryItem.READING;
    item.deviceId = device;
    item.seq = seq;
    item.eventTimeMs = eventTimeMs;
    item.district = device.substring(0, 2);
    item.metric = "rainfall_mm_h";
    item.intervalS = 10;
    return new StreamRecord<>(item, eventTimeMs);
  }
}
