package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.stream.liveness.DeviceLiveness;
import io.citybrain.stream.liveness.DeviceTimeline;
import io.citybrain.stream.liveness.LivenessChange;
import java.util.List;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Liveness timers: online at the earliest message, offline after 3 missed intervals in event time,
 * back on the next; each change announced when the watermark passes it.
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
    assertThat(changes()).as("announced when the watermark passes it").hasSize(2);
    harness.processWatermark(new Watermark(200_000));
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
        .containsExactlyInAnyOrder(
            "LG-AQ-1 online@0", "LG-CAM-1 online@0", "LG-AQ-1 offline@30000");
    harness.processWatermark(new Watermark(180_000));
    assertThat(changes()).last().isEqualTo("LG-CAM-1 offline@180000");
  }

  @Test
  @DisplayName(
      "state and timers survive a snapshot and restore: the online change not yet announced at the "
          + "snapshot is announced after it, and the device still goes offline on time")
  void survivesRestore() throws Exception {
    message("LG-AQ-1", 10_000);
    message("LG-AQ-1", 0);
    var snapshot = harness.snapshot(1, 1);
    assertThat(changes()).as("nothing announced before the watermark").isEmpty();
    restore(snapshot);
    harness.processWatermark(new Watermark(40_000));
    assertThat(changes()).containsExactly("LG-AQ-1 online@0", "LG-AQ-1 offline@40000");
  }

  @Test
  @DisplayName("a device's state is one Flink POJO (no Kryo, which the job turns off)")
  void stateIsAPojo() {
    assertThat(TypeInformation.of(DeviceTimeline.class)).isInstanceOf(PojoTypeInfo.class);
  }

  @Test
  @DisplayName(
      "the earliest message sets the online time, whichever lane delivers first: a heartbeat 40 ms "
          + "after the detection, arriving before it")
  void earliestMessageFirst() throws Exception {
    message("DP-CAM-1", 10_020);
    message("DP-CAM-1", 9_980);
    harness.processWatermark(new Watermark(9_979));
    assertThat(changes()).isEmpty();
    harness.processWatermark(new Watermark(20_000));
    assertThat(harness.extractOutputStreamRecords())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getValue()).hasToString("DP-CAM-1 online@9980");
              assertThat(r.getTimestamp())
                  .as("the record's timestamp is the change's")
                  .isEqualTo(9_980);
            });
  }

  @Test
  @DisplayName(
      "a silence ahead of the watermark is kept: messages at 100 s, 0 s and 50 s (in that order) "
          + "give online 0, offline 30, online 50, offline 80, online 100, offline 130")
  void gapAheadOfTheWatermark() throws Exception {
    message("LG-AQ-1", 100_000);
    message("LG-AQ-1", 0);
    message("LG-AQ-1", 50_000);
    assertThat(harness.numEventTimeTimers()).as("one timer, at the first change").isEqualTo(1);
    harness.processWatermark(new Watermark(200_000));
    assertThat(changes())
        .containsExactly(
            "LG-AQ-1 online@0",
            "LG-AQ-1 offline@30000",
            "LG-AQ-1 online@50000",
            "LG-AQ-1 offline@80000",
            "LG-AQ-1 online@100000",
            "LG-AQ-1 offline@130000");
    assertThat(harness.extractOutputStreamRecords())
        .allSatisfy(r -> assertThat(r.getTimestamp()).isEqualTo(r.getValue().atMs));
  }

  @Test
  @DisplayName(
      "a savepoint of the earlier state layout (last seen, deadline, timer) restores: online, then "
          + "offline at its deadline")
  void earlierLayoutRestores() throws Exception {
    var older =
        new KeyedOneInputStreamOperatorTestHarness<String, TelemetryItem, LivenessChange>(
            new KeyedProcessOperator<>(new EarlierLayout()), item -> item.deviceId, Types.STRING);
    older.open();
    older.processElement(new StreamRecord<>(item("LG-AQ-1", 10_000), 10_000));
    var snapshot = older.snapshot(1, 1);
    older.close();
    restore(snapshot);
    harness.processWatermark(new Watermark(39_999));
    assertThat(changes()).isEmpty();
    harness.processWatermark(new Watermark(40_000));
    assertThat(changes()).containsExactly("LG-AQ-1 offline@40000");
  }

  /** Writes a device's state the way DeviceLiveness did before DeviceTimeline: online at 10 s. */
  static final class EarlierLayout
      extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<
          String, TelemetryItem, LivenessChange> {
    @Override
    public void processElement(TelemetryItem item, Context ctx, Collector<LivenessChange> out)
        throws Exception {
      long due = item.eventTimeMs + 30_000;
      for (String[] kv :
          new String[][] {
            {"last-seen", "" + item.eventTimeMs}, {"deadline", "" + due}, {"timer", "" + due}
          }) {
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>(kv[0], Types.LONG))
            .update(Long.parseLong(kv[1]));
      }
      getRuntimeContext()
          .getState(new ValueStateDescriptor<>("district", Types.STRING))
          .update(item.district);
      ctx.timerService().registerEventTimeTimer(due);
    }
  }

  private void restore(org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot)
      throws Exception {
    harness.close();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new DeviceLiveness(3)), item -> item.deviceId, Types.STRING);
    harness.initializeState(snapshot);
    harness.open();
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
