package io.citybrain.stream.incident;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IncidentGateTest {
  private static final long MIN = 60_000;

  private KeyedOneInputStreamOperatorTestHarness<String, IncidentEvent, IncidentEvent> harness;

  @BeforeEach
  void open() throws Exception {
    harness = newHarness();
    harness.open();
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, IncidentEvent, IncidentEvent>
      newHarness() throws Exception {
    IncidentGate gate = new IncidentGate(Map.of("flood", 30 * MIN, "fire", 5 * MIN));
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(gate), IncidentGate.KEY, Types.STRING);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private static IncidentEvent incident(
      String pattern, String district, long startedAt, long detectedAt) {
    IncidentEvent e = new IncidentEvent();
    e.patternId = pattern;
    e.district = district;
    e.startedAtMs = startedAt;
    e.detectedAtMs = detectedAt;
    e.incidentId = IncidentEvent.incidentId(pattern, district, startedAt);
    return e;
  }

  private void send(IncidentEvent e) throws Exception {
    harness.processElement(e, e.detectedAtMs);
  }

  private List<String> passed() {
    return harness.extractOutputValues().stream().map(e -> e.incidentId).toList();
  }

  @Test
  @DisplayName(
      "A repeat of the same pattern in the same district while the first is active is suppressed")
  void suppressesRepeat() throws Exception {
    send(incident("flood", "DP", 0, 10 * MIN));
    send(incident("flood", "DP", 12 * MIN, 20 * MIN));
    harness.processWatermark(25 * MIN);
    send(incident("flood", "DP", 26 * MIN, 40 * MIN));
    assertThat(passed()).containsExactly("flood:DP:0");
  }

  @Test
  @DisplayName("Other districts and other patterns pass the gate independently")
  void keysAreIndependent() throws Exception {
    send(incident("flood", "DP", 0, 10 * MIN));
    send(incident("flood", "FT", 0, 10 * MIN));
    send(incident("fire", "DP", 0, 11 * MIN));
    assertThat(passed()).containsExactly("flood:DP:0", "flood:FT:0", "fire:DP:0");
  }

  @Test
  @DisplayName(
      "After the active period (extended by each repeat) a new incident passes and the state is cleared")
  void newIncidentAfterActivePeriod() throws Exception {
    send(incident("fire", "DP", 0, 1 * MIN));
    send(incident("fire", "DP", 3 * MIN, 5 * MIN)); // active until 6 min, extended to 10 min
    harness.processWatermark(9 * MIN);
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    harness.processWatermark(10 * MIN);
    assertThat(harness.numKeyedStateEntries()).as("ended incidents leave no state").isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    send(incident("fire", "DP", 10 * MIN + 1, 11 * MIN));
    assertThat(passed()).containsExactly("fire:DP:0", "fire:DP:" + (10 * MIN + 1));
  }

  @Test
  @DisplayName("The gate's decision survives a snapshot and restore")
  void restores() throws Exception {
    send(incident("flood", "DP", 0, 10 * MIN));
    var snapshot = harness.snapshot(1, 1);
    harness.close();
    harness = newHarness();
    harness.initializeState(snapshot);
    harness.open();
    send(incident("flood", "DP", 15 * MIN, 20 * MIN));
    assertThat(passed()).isEmpty();
  }
}
