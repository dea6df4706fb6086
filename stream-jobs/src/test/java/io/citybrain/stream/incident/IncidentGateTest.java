package io.citybrain.stream.incident;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
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
    IncidentGate gate =
        new IncidentGate(Map.of("flood", 30 * MIN, "fire", 5 * MIN, "storm", 10 * MIN));
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
    assertThat(harness.numKeyedStateEntries()).as("active until, active incident").isEqualTo(2);
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

  private static final long ALERT_GAP = 50_000;

  /** The storm's i-th alert id: a permutation of x00..x11, so id order is not arrival order. */
  private static String alertId(int i) {
    return String.format("x%02d", (i * 7) % 12);
  }

  /**
   * The storm's match of alerts first..first+4 (what CEP without skipping gives at each alert from
   * the 5th on): 12 alerts 50 s apart, all within 10 minutes.
   */
  private static IncidentEvent stormMatch(long t0, int first) {
    IncidentEvent e = incident("storm", "DP", t0 + first * ALERT_GAP, t0 + (first + 4) * ALERT_GAP);
    for (int i = first; i < first + 5; i++) {
      e.alertIds.add(alertId(i));
      EvidenceItem item = new EvidenceItem();
      item.kind = "alert";
      item.what = "rule-" + (i % 3);
      item.timeMs = t0 + i * ALERT_GAP;
      item.value = i;
      e.evidence.add(item);
    }
    return e;
  }

  private static List<String> allAlerts() {
    return IntStream.range(0, 12).mapToObj(IncidentGateTest::alertId).sorted().toList();
  }

  private IncidentEvent last() {
    List<IncidentEvent> out = harness.extractOutputValues();
    return out.get(out.size() - 1);
  }

  @Test
  @DisplayName(
      "A storm of 12 alerts in 10 minutes (min 5) is one incident, widened until it links all 12, sorted")
  void stormLinksEveryAlert() throws Exception {
    for (int first = 0; first <= 7; first++) {
      send(stormMatch(0, first));
    }
    List<IncidentEvent> out = harness.extractOutputValues();
    assertThat(out).extracting(e -> e.incidentId).containsOnly("storm:DP:0");
    assertThat(out).extracting(e -> e.revision).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(out.get(0).alertIds)
        .as("as first detected, in match order")
        .containsExactly("x00", "x07", "x02", "x09", "x04");
    assertThat(out.get(1).alertIds).containsExactly("x00", "x02", "x04", "x07", "x09", "x11");
    IncidentEvent widest = last();
    assertThat(widest.alertIds).isEqualTo(allAlerts());
    assertThat(widest.evidence).extracting(e -> e.timeMs).isSorted().hasSize(12);
    assertThat(widest.detectedAtMs).as("first detection kept").isEqualTo(4 * ALERT_GAP);
    assertThat(widest.startedAtMs).isZero();

    // Repeats that link no new alert change nothing.
    send(stormMatch(0, 3));
    send(stormMatch(0, 7));
    assertThat(harness.extractOutputValues()).hasSize(8);
  }

  @Test
  @DisplayName("The widest incident is the same whatever order the repeats come in")
  void orderIndependent() throws Exception {
    List<Integer> repeats = new ArrayList<>(List.of(1, 2, 3, 4, 5, 6, 7));
    send(stormMatch(0, 0));
    repeats.forEach(this::sendUnchecked);
    IncidentEvent inOrder = last();
    for (long seed = 1; seed <= 5; seed++) {
      harness.close();
      harness = newHarness();
      harness.open();
      Collections.shuffle(repeats, new Random(seed));
      send(stormMatch(0, 0));
      repeats.forEach(this::sendUnchecked);
      IncidentEvent shuffled = last();
      assertThat(shuffled.alertIds).as("order %s", repeats).isEqualTo(inOrder.alertIds);
      assertThat(shuffled.evidence).as("order %s", repeats).isEqualTo(inOrder.evidence);
    }
  }

  private void sendUnchecked(int first) {
    try {
      send(stormMatch(0, first));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("Widened evidence keeps the oldest items up to the cap; alert ids are never capped")
  void evidenceCapped() throws Exception {
    for (int first = 0; first < 60; first++) {
      IncidentEvent e = stormMatch(0, first);
      // Keep every match within the active period: alerts 10 s apart.
      e.startedAtMs = first * 10_000L;
      e.detectedAtMs = (first + 4) * 10_000L;
      e.incidentId = IncidentEvent.incidentId("storm", "DP", e.startedAtMs);
      for (int i = 0; i < 5; i++) {
        e.alertIds.set(i, String.format("y%03d", first + i));
        e.evidence.get(i).timeMs = (first + i) * 10_000L;
      }
      send(e);
    }
    IncidentEvent widest = last();
    assertThat(widest.alertIds).hasSize(64);
    assertThat(widest.evidence).hasSize(IncidentGate.EVIDENCE_CAP);
    assertThat(widest.evidence.get(IncidentGate.EVIDENCE_CAP - 1).timeMs)
        .isEqualTo((IncidentGate.EVIDENCE_CAP - 1) * 10_000L);
  }

  @Test
  @DisplayName("After the storm's active period a new storm is a new incident")
  void newStormAfterActivePeriod() throws Exception {
    for (int first = 0; first <= 7; first++) {
      send(stormMatch(0, first));
    }
    // Active until the last match's detection (alert 11 at 550 s) plus 10 minutes.
    harness.processWatermark(11 * ALERT_GAP + 10 * MIN);
    assertThat(harness.numKeyedStateEntries()).isZero();
    long t1 = 11 * ALERT_GAP + 10 * MIN + 1;
    send(stormMatch(t1, 0));
    send(stormMatch(t1, 1));
    List<IncidentEvent> out = harness.extractOutputValues();
    assertThat(out.subList(8, 10))
        .extracting(e -> e.incidentId + "#" + e.revision)
        .containsExactly("storm:DP:" + t1 + "#0", "storm:DP:" + t1 + "#1");
  }

  @Test
  @DisplayName("The active incident and its linked alerts survive a snapshot and restore")
  void widensAfterRestore() throws Exception {
    for (int first = 0; first <= 3; first++) {
      send(stormMatch(0, first));
    }
    var snapshot = harness.snapshot(1, 1);
    harness.close();
    harness = newHarness();
    harness.initializeState(snapshot);
    harness.open();
    send(stormMatch(0, 3)); // links nothing new: nothing out
    assertThat(harness.extractOutputValues()).isEmpty();
    for (int first = 4; first <= 7; first++) {
      send(stormMatch(0, first));
    }
    List<IncidentEvent> out = harness.extractOutputValues();
    assertThat(out).extracting(e -> e.revision).containsExactly(4, 5, 6, 7);
    assertThat(out).extracting(e -> e.incidentId).containsOnly("storm:DP:0");
    assertThat(last().alertIds).isEqualTo(allAlerts());
  }
}
