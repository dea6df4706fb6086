package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.stream.liveness.DeviceLiveness;
import io.citybrain.stream.liveness.LivenessChange;
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
 * Liveness timers: online at the first message, offline after 3 missed intervals in event time,
 * back on the next.
 */
class DeviceLivenessTest {
  private KeyedOneInputStreamOperatorTestHarness<String, TelemetryItem, LivenessChange> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new DeviceLiveness(3)), item -> item.deviceId, Types.STRING);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  @DisplayName(
      "a device reporting every 10 s stays online with one pending timer; silence for 30 s takes it offline")
  void offlineAfterMissedIntervals() throws Exception {
    for (int i = 0; i < 10; i++) {
      message("LG-AQ-1", i * 10_000L);
      harness.processWatermark(new Watermark(i * 10_000L));
    }
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    assertThat(changes()).containsExactly("LG-AQ-1 online@0");
    // Last message at 90 s: due at 120 s. A watermark short of it changes nothing.
    harness.processWatermark(new Watermark(119_999));
    assertThat(changes()).containsExactly("LG-AQ-1 online@0");
    harness.processWatermark(new Watermark(120_000));
    assertThat(changes()).containsExactly("LG-AQ-1 online@0", "LG-AQ-1 offline@120000");
    assertThat(harness.numEventTimeTimers()).isZero();
    message("LG-AQ-1", 200_000);
    assertThat(changes()).last().isEqualTo("LG-AQ-1 online@200000");
  }

  @Test
  @DisplayName(
      "the interval comes from the registry per device: a 60 s device survives a silence that takes a 10 s one offline")
  void perDeviceInterval() throws Exception {
    message("LG-AQ-1", 0);
    TelemetryItem slow = item("LG-CAM-1", 0);
    slow.intervalS = 60;
    harness.processElement(new StreamRecord<>(slow, 0));
    harness.processWatermark(new Watermark(100_000));
    assertThat(changes())
        .containsExactly("LG-AQ-1 online@0", "LG-CAM-1 online@0", "LG-AQ-1 offline@30000");
    harness.processWatermark(new Watermark(180_000));
    assertThat(changes()).last().isEqualTo("LG-CAM-1 offline@180000");
  }

  @Test
  @DisplayName(
      "state and timers survive a snapshot and restore: the device still goes offline on time")
  void survivesRestore() throws Exception {
    message("LG-AQ-1", 0);
    message("LG-AQ-1", 10_000);
    var snapshot = harness.snapshot(1, 1);
    harness.close();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new DeviceLiveness(3)), item -> item.deviceId, Types.STRING);
    harness.initializeState(snapshot);
    harness.open();
    harness.processWatermark(new Watermark(40_000));
    assertThat(changes()).containsExactly("LG-AQ-1 offline@40000");
  }

  @Test
  @DisplayName(
      "a reading from before the offline deadline that arrives after it brings the device back as of the deadline")
  void lateReadingAfterOffline() throws Exception {
    message("LG-AQ-1", 0);
    harness.processWatermark(new Watermark(30_000));
    message("LG-AQ-1", 25_000);
    assertThat(changes())
        .containsExactly("LG-AQ-1 online@0", "LG-AQ-1 offline@30000", "LG-AQ-1 online@30000");
    // The deadline runs from the newest message seen: 25 s + 30 s.
    harness.processWatermark(new Watermark(55_000));
    assertThat(changes()).last().isEqualTo("LG-AQ-1 offline@55000");
  }

  private void message(String device, long at) throws Exception {
    harness.processElement(new StreamRecord<>(item(device, at), at));
  }

  private List<String> changes() {
    return harness.extractOutputValues().stream().map(LivenessChange::toString).toList();
  }

  private static TelemetryItem item(String device, long at) {
    TelemetryItem item = DeduplicateTest.record(device, at / 1000 + 1, at).getValue();
    item.kind = TelemetryItem.HEARTBEAT;
    return item;
  }
}
