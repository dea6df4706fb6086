package io.citybrain.stream.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.source.MqttRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkOutputMultiplexer;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A source subtask's lanes ({@link ValidatedWatermarks}' generators) through Flink's own per-split
 * multiplexer, periods driven by a manual clock: once every lane is quiet the subtask's time is the
 * latest lane's, whatever order the lanes fell quiet in. A restored job's lanes (their times given
 * back by the source's markers) fall quiet together, an uninterrupted job's one by one: both must
 * end at the same time, or a restored job closes fewer windows. Flink 2.3 flushes the highest
 * watermark when every split is idle (FLINK-38454; before it, time stopped at the lane that fell
 * quiet last): this pins that.
 */
class QuietLanesTest {
  static final long BOUND = 20_000;
  static final long IDLE = 30_000;
  static final long PERIOD_MS = 200;

  final ManualClock clock = new ManualClock();
  final ValidatedWatermarks strategy =
      new ValidatedWatermarks(
          () -> null, Duration.ofMinutes(5), Duration.ofMillis(BOUND), Duration.ofMillis(IDLE));
  final List<Long> emitted = new ArrayList<>();
  boolean idle;
  final WatermarkOutputMultiplexer multiplexer =
      new WatermarkOutputMultiplexer(
          new WatermarkOutput() {
            @Override
            public void emitWatermark(Watermark watermark) {
              emitted.add(watermark.getTimestamp());
              idle = false;
            }

            @Override
            public void markIdle() {
              idle = true;
            }

            @Override
            public void markActive() {
              idle = false;
            }
          });
  final List<WatermarkGenerator<MqttRecord>> lanes = new ArrayList<>();

  @Test
  @DisplayName("lanes falling quiet one by one, latest first: the subtask ends at the latest lane")
  void latestFirst() {
    lanes(3);
    event(0, 100_000);
    event(1, 90_000);
    event(2, 60_000);
    periods(5);
    assertThat(last()).isEqualTo(60_000 - BOUND - 1);
    // Lane 0 falls quiet first; 1 and 2 keep reporting old times for a while.
    for (int i = 0; i < 100; i++) {
      event(1, 90_000);
      event(2, 60_000);
      periods(1);
    }
    periods((int) (2 * IDLE / PERIOD_MS));
    assertThat(last()).isEqualTo(100_000 - BOUND - 1);
    assertThat(idle).isTrue();
  }

  @Test
  @DisplayName(
      "lanes falling quiet together (a restored job's, their times given back): the same end")
  void together() {
    lanes(3);
    event(0, 60_000);
    event(1, 100_000);
    event(2, 90_000);
    periods((int) (2 * IDLE / PERIOD_MS));
    assertThat(last()).isEqualTo(100_000 - BOUND - 1);
    assertThat(idle).isTrue();
    assertThat(emitted).isSorted();
  }

  @Test
  @DisplayName("while one lane reports, a quiet lane neither holds time back nor pushes it ahead")
  void quietLaneAmongActive() {
    lanes(2);
    event(0, 500_000);
    int periods = (int) (2 * IDLE / PERIOD_MS);
    for (int i = 0; i < periods; i++) {
      event(1, 100_000 + i * 10);
      periods(1);
    }
    // Lane 0 went quiet while lane 1 reported: the subtask follows lane 1, not lane 0's 500 s.
    assertThat(last()).isEqualTo(100_000 + (periods - 1) * 10 - BOUND - 1);
    assertThat(idle).isFalse();
  }

  @Test
  @DisplayName("rejected messages (no timestamp) are no activity: the lane still falls quiet")
  void rejectedAreNoActivity() {
    lanes(2);
    event(0, 80_000);
    event(1, 70_000);
    for (int i = 0; i < (int) (2 * IDLE / PERIOD_MS); i++) {
      lanes.get(1).onEvent(null, Long.MIN_VALUE, multiplexer.getImmediateOutput("1"));
      periods(1);
    }
    assertThat(last()).isEqualTo(80_000 - BOUND - 1);
    assertThat(idle).isTrue();
  }

  private void lanes(int n) {
    for (int i = 0; i < n; i++) {
      multiplexer.registerNewOutput(Integer.toString(i));
      lanes.add(strategy.createWatermarkGenerator(context()));
    }
  }

  private void event(int lane, long time) {
    lanes.get(lane).onEvent(null, time, multiplexer.getImmediateOutput(Integer.toString(lane)));
  }

  private void periods(int n) {
    for (int p = 0; p < n; p++) {
      clock.advanceTime(Duration.ofMillis(PERIOD_MS));
      for (int i = 0; i < lanes.size(); i++) {
        lanes.get(i).onPeriodicEmit(multiplexer.getDeferredOutput(Integer.toString(i)));
      }
      multiplexer.onPeriodicEmit();
    }
  }

  private long last() {
    return emitted.get(emitted.size() - 1);
  }

  private WatermarkGeneratorSupplier.Context context() {
    return new WatermarkGeneratorSupplier.Context() {
      @Override
      public MetricGroup getMetricGroup() {
        return new UnregisteredMetricsGroup();
      }

      @Override
      public RelativeClock getInputActivityClock() {
        return clock;
      }
    };
  }
}
