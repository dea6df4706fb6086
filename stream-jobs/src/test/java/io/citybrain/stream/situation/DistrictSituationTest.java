package io.citybrain.stream.situation;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.stream.alert.AlertEvent;
import io.citybrain.stream.liveness.LivenessChange;
import io.citybrain.stream.metric.EventCount;
import io.citybrain.stream.metric.WindowStats;
import io.citybrain.stream.testing.OperatorMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The district picture in the operator test harness, without a database: the device totals come
 * from a test loader. Checks what a window's picture is made of, that it waits for the window's
 * end, and that a restore in the middle of a window gives the picture an uninterrupted run gives.
 */
class DistrictSituationTest {
  static final CitySeeds SEEDS = SeedLoader.load();
  static final DeviceTotalsLoader TOTALS = () -> Map.of("DP", 4, "LG", 2);

  @Test
  @DisplayName(
      "at the window's end: its metrics and camera counts, devices online of the loaded total, open alerts, "
          + "active incidents")
  void pictureAtWindowEnd() throws Exception {
    try (var harness = harness()) {
      harness.open();
      for (StreamRecord<DistrictUpdate> update : firstWindow()) {
        harness.processElement(update);
      }
      assertThat(harness.extractOutputValues()).as("nothing before the window ends").isEmpty();
      harness.processWatermark(new Watermark(9_999));

      List<SituationRecord> out = harness.extractOutputValues();
      assertThat(out).singleElement().satisfies(r -> assertThat(r.windowEndMs).isEqualTo(10_000));
      DistrictSnapshot picture = DistrictSnapshot.parseFrom(out.get(0).snapshot);
      assertThat(picture.getDistrict()).isEqualTo("DP");
      assertThat(picture.getWindowStartMs()).isZero();
      assertThat(picture.getDevicesTotal()).isEqualTo(4);
      assertThat(picture.getDevicesOnline()).isEqualTo(3);
      assertThat(picture.getOnlineRate()).isEqualTo(0.75);
      assertThat(picture.getMetricsList())
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.getMetric()).isEqualTo("pm25");
                assertThat(m.getMean()).isEqualTo(80.0);
              });
      assertThat(picture.getCameraEventsByTypeMap()).containsEntry("illegal_parking", 7L);
      assertThat(picture.getCameraEventsByCategoryMap()).containsEntry("public_order", 7L);
      assertThat(picture.getOpenAlerts()).isEqualTo(1);
      assertThat(picture.getOpenIncidents()).isEqualTo(1);
      assertThat(picture.getSituationIndex()).isBetween(0.0, 100.0);
    }
  }

  @Test
  @DisplayName(
      "snapshot and restore in the middle of a window: the restored operator emits the pictures an "
          + "uninterrupted one does")
  void restoreMidWindow() throws Exception {
    List<StreamRecord<DistrictUpdate>> secondWindow = secondWindow();
    List<SituationRecord> uninterrupted;
    try (var harness = harness()) {
      harness.open();
      feed(harness, firstWindow(), 9_999);
      feed(harness, secondWindow, 19_999);
      uninterrupted = harness.extractOutputValues();
    }
    assertThat(uninterrupted).hasSize(2);
    DistrictSnapshot second = DistrictSnapshot.parseFrom(uninterrupted.get(1).snapshot);
    assertThat(second.getDevicesOnline())
        .as("one device went offline in the second window, another came and went")
        .isEqualTo(2);
    assertThat(second.getOpenAlerts()).as("the alert cleared").isZero();

    List<String> restored = new ArrayList<>();
    int half = secondWindow.size() / 2;
    OperatorSubtaskState state;
    try (var before = harness()) {
      before.open();
      feed(before, firstWindow(), 9_999);
      for (StreamRecord<DistrictUpdate> update : secondWindow.subList(0, half)) {
        before.processElement(update);
      }
      state = before.snapshot(1L, 15_000L);
      restored.addAll(pictures(before.extractOutputValues()));
    }
    try (var after = harness()) {
      after.initializeState(state);
      after.open();
      feed(after, secondWindow.subList(half, secondWindow.size()), 19_999);
      restored.addAll(pictures(after.extractOutputValues()));
    }

    assertThat(restored).containsExactlyElementsOf(pictures(uninterrupted));
  }

  @Test
  @DisplayName(
      "a late re-firing of a window whose picture is out already changes nothing and is counted")
  void lateWindowIgnored() throws Exception {
    OperatorMetrics metrics = new OperatorMetrics();
    try (var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new DistrictSituation(SEEDS, TOTALS)),
            (DistrictUpdate u) -> u.district,
            Types.STRING,
            metrics.environment())) {
      harness.open();
      feed(harness, firstWindow(), 9_999);
      assertThat(metrics.count(DistrictSituation.AFTER_PICTURE_METRIC)).isZero();
      harness.processElement(stats(0, "pm25", 500));
      harness.processWatermark(new Watermark(19_999));
      assertThat(harness.extractOutputValues()).hasSize(1);
      assertThat(metrics.count(DistrictSituation.AFTER_PICTURE_METRIC)).isEqualTo(1);
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, DistrictUpdate, SituationRecord>
      harness() throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new DistrictSituation(SEEDS, TOTALS)),
        u -> u.district,
        Types.STRING);
  }

  private static void feed(
      KeyedOneInputStreamOperatorTestHarness<String, DistrictUpdate, SituationRecord> harness,
      List<StreamRecord<DistrictUpdate>> updates,
      long watermark)
      throws Exception {
    for (StreamRecord<DistrictUpdate> update : updates) {
      harness.processElement(update);
    }
    harness.processWatermark(new Watermark(watermark));
  }

  /** Three of Dapeng's four devices come online, an alert is raised, an incident detected. */
  private static List<StreamRecord<DistrictUpdate>> firstWindow() {
    return List.of(
        new StreamRecord<>(DistrictUpdate.of(online("DP-AQ-1", true, 1_000)), 1_000),
        new StreamRecord<>(DistrictUpdate.of(online("DP-AQ-2", true, 2_000)), 2_000),
        new StreamRecord<>(DistrictUpdate.of(online("DP-CAM-1", true, 3_000)), 3_000),
        new StreamRecord<>(DistrictUpdate.of(alert(true, 5_000)), 5_000),
        new StreamRecord<>(DistrictUpdate.incident("DP", "flood:DP:4000", 6_000), 6_000),
        stats(0, "pm25", 80),
        new StreamRecord<>(DistrictUpdate.of(events(0, "illegal_parking", 7)), 9_999));
  }

  /** One device goes offline, the alert clears, the metric and camera counts go on. */
  private static List<StreamRecord<DistrictUpdate>> secondWindow() {
    return List.of(
        new StreamRecord<>(DistrictUpdate.of(online("DP-AQ-1", false, 11_000)), 11_000),
        stats(10_000, "pm25", 40),
        new StreamRecord<>(DistrictUpdate.of(alert(false, 13_000)), 13_000),
        new StreamRecord<>(DistrictUpdate.of(online("DP-AQ-3", true, 14_000)), 14_000),
        new StreamRecord<>(DistrictUpdate.of(online("DP-AQ-3", false, 16_000)), 16_000),
        new StreamRecord<>(DistrictUpdate.of(events(10_000, "garbage_overflow", 2)), 19_999));
  }

  private static StreamRecord<DistrictUpdate> stats(long start, String metric, double mean) {
    WindowStats s = new WindowStats();
    s.district = "DP";
    s.metric = metric;
    s.resolutionS = 10;
    s.windowStartMs = start;
    s.count = 4;
    s.min = mean - 1;
    s.max = mean + 1;
    s.sum = mean * 4;
    s.mean = mean;
    return new StreamRecord<>(DistrictUpdate.of(s), start + 9_999);
  }

  private static EventCount events(long start, String type, long count) {
    EventCount c = new EventCount();
    c.district = "DP";
    c.eventType = type;
    c.resolutionS = 10;
    c.windowStartMs = start;
    c.count = count;
    return c;
  }

  private static LivenessChange online(String device, boolean online, long atMs) {
    return LivenessChange.of(device, "DP", online, atMs, atMs);
  }

  private static AlertEvent alert(boolean raised, long atMs) {
    AlertEvent a = new AlertEvent();
    a.alertId = "pm25_high:DP:5000";
    a.ruleId = "pm25_high";
    a.district = "DP";
    a.metric = "pm25";
    a.severity = "medium";
    a.raised = raised;
    a.value = raised ? 80 : 40;
    a.windowEndMs = atMs;
    a.raisedAtMs = 5_000;
    a.clearedAtMs = raised ? 0 : atMs;
    return a;
  }

  /** The pictures without their wall-clock generation time, the only field a rerun may change. */
  private static List<String> pictures(List<SituationRecord> records) throws Exception {
    List<String> pictures = new ArrayList<>();
    for (SituationRecord r : records) {
      pictures.add(
          r.windowEndMs
              + " "
              + DistrictSnapshot.parseFrom(r.snapshot).toBuilder().clearGeneratedAtMs().build());
    }
    return pictures;
  }
}
