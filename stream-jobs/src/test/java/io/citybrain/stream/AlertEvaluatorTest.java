package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.seeds.AlertRule;
import io.citybrain.stream.alert.AlertEvaluator;
import io.citybrain.stream.alert.AlertEvent;
import io.citybrain.stream.metric.WindowStats;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Alert rules: debounce over adjacent windows, hysteresis between threshold and clear threshold,
 * one open alert.
 */
class AlertEvaluatorTest {
  /** Raise at mean >= 30 for 2 windows in a row, clear at <= 15. */
  private static final AlertRule RAIN =
      new AlertRule(
          "rainfall_heavy",
          "rainfall_mm_h",
          AlertRule.Statistic.MEAN,
          AlertRule.Direction.ABOVE,
          30.0,
          15.0,
          "mm/h",
          2,
          "medium",
          null);

  /** Raise at mean <= 15 at once, clear at >= 25. */
  private static final AlertRule SLOW =
      new AlertRule(
          "traffic_slow",
          "traffic_speed",
          AlertRule.Statistic.MEAN,
          AlertRule.Direction.BELOW,
          15.0,
          25.0,
          "km/h",
          1,
          "medium",
          List.of("DP"));

  private KeyedOneInputStreamOperatorTestHarness<String, WindowStats, AlertEvent> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new AlertEvaluator(List.of(RAIN, SLOW))),
            s -> s.district + "|" + s.metric,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  @DisplayName(
      "one window past the threshold is not enough (debounce); a gap breaks the run; two adjacent raise once")
  void debounce() throws Exception {
    window("DP", "rainfall_mm_h", 0, 40);
    window("DP", "rainfall_mm_h", 2, 40); // window 1 had no data: not adjacent
    assertThat(events()).isEmpty();
    window("DP", "rainfall_mm_h", 3, 35);
    window("DP", "rainfall_mm_h", 4, 80);
    window("DP", "rainfall_mm_h", 5, 80);
    assertThat(events()).containsExactly("raised rainfall_heavy:DP:40000 value=35.0");
  }

  @Test
  @DisplayName(
      "between clear threshold and threshold the alert stays open (hysteresis); at the clear threshold it clears")
  void hysteresis() throws Exception {
    window("DP", "rainfall_mm_h", 0, 40);
    window("DP", "rainfall_mm_h", 1, 40);
    window("DP", "rainfall_mm_h", 2, 20);
    window("DP", "rainfall_mm_h", 3, 16);
    window("DP", "rainfall_mm_h", 4, 31);
    assertThat(events()).containsExactly("raised rainfall_heavy:DP:20000 value=40.0");
    window("DP", "rainfall_mm_h", 5, 15);
    assertThat(events())
        .containsExactly(
            "raised rainfall_heavy:DP:20000 value=40.0",
            "cleared rainfall_heavy:DP:20000 value=15.0");
    // A new raise after the clear needs its own debounce and gets its own id.
    window("DP", "rainfall_mm_h", 6, 40);
    window("DP", "rainfall_mm_h", 7, 40);
    assertThat(events()).last().isEqualTo("raised rainfall_heavy:DP:80000 value=40.0");
  }

  @Test
  @DisplayName(
      "below-rules mirror above-rules; a rule limited to some districts ignores the others")
  void belowAndDistricts() throws Exception {
    window("FT", "traffic_speed", 0, 5);
    window("DP", "traffic_speed", 0, 12);
    window("DP", "traffic_speed", 1, 20);
    window("DP", "traffic_speed", 2, 26);
    assertThat(events())
        .containsExactly(
            "raised traffic_slow:DP:10000 value=12.0", "cleared traffic_slow:DP:10000 value=26.0");
  }

  @Test
  @DisplayName(
      "a late re-firing of an already judged window changes nothing; the state survives a restore")
  void lateRefiringAndRestore() throws Exception {
    window("DP", "rainfall_mm_h", 0, 40);
    window("DP", "rainfall_mm_h", 1, 40);
    window("DP", "rainfall_mm_h", 0, 10); // window 0 again, with a late reading
    assertThat(events()).containsExactly("raised rainfall_heavy:DP:20000 value=40.0");
    var snapshot = harness.snapshot(1, 1);
    harness.close();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new AlertEvaluator(List.of(RAIN, SLOW))),
            s -> s.district + "|" + s.metric,
            Types.STRING);
    harness.initializeState(snapshot);
    harness.open();
    window("DP", "rainfall_mm_h", 2, 45);
    window("DP", "rainfall_mm_h", 3, 10);
    assertThat(events()).containsExactly("cleared rainfall_heavy:DP:20000 value=10.0");
  }

  private void window(String district, String metric, int index, double mean) throws Exception {
    WindowStats s = new WindowStats();
    s.district = district;
    s.metric = metric;
    s.resolutionS = 10;
    s.windowStartMs = index * 10_000L;
    s.count = 5;
    s.min = mean - 1;
    s.max = mean + 1;
    s.mean = mean;
    s.sum = mean * 5;
    harness.processElement(new StreamRecord<>(s, s.windowEndMs() - 1));
  }

  private List<String> events() {
    return harness.extractOutputValues().stream().map(AlertEvent::toString).toList();
  }
}
