package io.citybrain.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Lane assignment on Flink's mock enumerator context: lane i to reader i mod parallelism, lanes of
 * a failed reader back to it when it registers again, the unassigned lanes in the checkpoint.
 */
class MqttLaneEnumeratorTest {

  @Test
  @DisplayName("each reader gets its lanes when it registers: lane i to reader i mod parallelism")
  void lanesSpreadByModulo() throws Exception {
    try (var context = new MockSplitEnumeratorContext<MqttLaneSplit>(2)) {
      var enumerator = new MqttLaneEnumerator(context, Set.of(0, 1, 2, 3, 4));
      enumerator.start();
      register(context, enumerator, 1);
      register(context, enumerator, 0);

      assertThat(assigned(context))
          .containsExactly(Map.entry(0, List.of(0, 2, 4)), Map.entry(1, List.of(1, 3)));
      assertThat(enumerator.snapshotState(1).unassigned()).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "lanes of a failed reader come back and go out again when it registers; a reader that never "
          + "registered keeps its lanes in the checkpoint")
  void failedReaderGetsItsLanesBack() throws Exception {
    try (var context = new MockSplitEnumeratorContext<MqttLaneSplit>(2)) {
      var enumerator = new MqttLaneEnumerator(context, Set.of(0, 1, 2, 3));
      register(context, enumerator, 0);
      assertThat(enumerator.snapshotState(1).unassigned()).containsExactly(1, 3);

      context.unregisterReader(0);
      enumerator.addSplitsBack(List.of(new MqttLaneSplit(0), new MqttLaneSplit(2)), 0);
      assertThat(enumerator.snapshotState(2).unassigned()).containsExactly(0, 1, 2, 3);
      register(context, enumerator, 0);

      assertThat(assigned(context))
          .as("lanes 0 and 2 to reader 0, once before its failure and once after")
          .containsExactly(Map.entry(0, List.of(0, 2, 0, 2)));
      assertThat(enumerator.snapshotState(3).unassigned()).containsExactly(1, 3);
    }
  }

  @Test
  @DisplayName("readers never ask for lanes: a request assigns nothing")
  void requestsAssignNothing() throws Exception {
    try (var context = new MockSplitEnumeratorContext<MqttLaneSplit>(1)) {
      var enumerator = new MqttLaneEnumerator(context, Set.of(0));
      enumerator.handleSplitRequest(0, "localhost");
      assertThat(context.getSplitsAssignmentSequence()).isEmpty();
    }
  }

  private static void register(
      MockSplitEnumeratorContext<MqttLaneSplit> context,
      MqttLaneEnumerator enumerator,
      int subtask) {
    context.registerReader(new ReaderInfo(subtask, "localhost"));
    enumerator.addReader(subtask);
  }

  /** Every lane assigned so far, by reader, in the order of assignment. */
  private static Map<Integer, List<Integer>> assigned(
      MockSplitEnumeratorContext<MqttLaneSplit> context) {
    Map<Integer, List<Integer>> byReader = new TreeMap<>();
    for (SplitsAssignment<MqttLaneSplit> a : context.getSplitsAssignmentSequence()) {
      a.assignment()
          .forEach(
              (reader, splits) ->
                  splits.forEach(
                      split ->
                          byReader
                              .computeIfAbsent(reader, r -> new ArrayList<>())
                              .add(split.lane())));
    }
    return byReader;
  }
}
