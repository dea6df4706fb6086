package io.citybrain.stream.incident;

import static io.citybrain.stream.incident.Signals.LAT;
import static io.citybrain.stream.incident.Signals.LON;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FirstStepThrottleTest {
  private static final long S = 1_000;
  private KeyedOneInputStreamOperatorTestHarness<String, Signal, Signal> harness;

  @BeforeEach
  void open() throws Exception {
    // Fire: first step smoke_fire within 5 minutes, so one kept report per camera per 30 s.
    FirstStepThrottle throttle = FirstStepThrottle.of(IncidentPatternsTest.pattern("fire"));
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(throttle),
            (KeySelector<Signal, String>) s -> s.district,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void send(Signal s) throws Exception {
    harness.processElement(s, s.timeMs);
  }

  private List<String> kept() {
    return harness.extractOutputValues().stream()
        .map(s -> s.deviceId + "@" + s.timeMs / S)
        .toList();
  }

  @Test
  @DisplayName(
      "A camera's repeated first-step reports are kept once per 30 s; other cameras and other signals pass")
  void thinsRepeats() throws Exception {
    for (int i = 0; i < 70; i++) {
      send(Signals.camera("DP", i * S, "smoke_fire", "cam-1", i, LAT, LON));
    }
    send(Signals.camera("DP", 5 * S, "smoke_fire", "cam-2", 1, LAT, LON));
    send(Signals.camera("FT", 5 * S, "smoke_fire", "cam-1", 1, LAT, LON));
    send(Signals.reading("DP", 6 * S, "temperature_c", 55, "t-1", 1, LAT, LON));
    send(Signals.reading("DP", 7 * S, "temperature_c", 56, "t-1", 2, LAT, LON));
    assertThat(kept())
        .containsExactly("cam-1@0", "cam-1@30", "cam-1@60", "cam-2@5", "cam-1@5", "t-1@6", "t-1@7");
  }

  @Test
  @DisplayName("Quiet cameras are forgotten once the watermark passes their spacing")
  void forgetsQuietCameras() throws Exception {
    send(Signals.camera("DP", 0, "smoke_fire", "cam-1", 1, LAT, LON));
    send(Signals.camera("DP", 40 * S, "smoke_fire", "cam-2", 1, LAT, LON));
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    harness.processWatermark(60 * S);
    assertThat(harness.numKeyedStateEntries()).as("cam-2 still within its spacing").isEqualTo(1);
    harness.processWatermark(120 * S);
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  @DisplayName("Patterns whose first step is an alert (or a storm) need no throttle")
  void onlyForDeviceFirstSteps() {
    assertThat(FirstStepThrottle.of(IncidentPatternsTest.pattern("flood"))).isNull();
    assertThat(FirstStepThrottle.of(IncidentPatternsTest.pattern("crowd_surge"))).isNull();
    assertThat(FirstStepThrottle.of(IncidentPatternsTest.pattern("alert_storm"))).isNull();
    assertThat(FirstStepThrottle.of(IncidentPatternsTest.pattern("accident_congestion")))
        .isNotNull();
  }
}
