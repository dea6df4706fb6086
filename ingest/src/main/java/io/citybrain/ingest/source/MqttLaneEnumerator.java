package io.citybrain.ingest.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Hands lanes to readers: lane i goes to reader i mod parallelism, so lanes spread evenly and a
 * rescaled job spreads them again. Lanes of a failed reader come back ({@link #addSplitsBack}) and
 * go out again when it registers.
 */
final class MqttLaneEnumerator implements SplitEnumerator<MqttLaneSplit, MqttEnumeratorState> {
  private final SplitEnumeratorContext<MqttLaneSplit> context;
  private final Set<Integer> unassigned;

  MqttLaneEnumerator(SplitEnumeratorContext<MqttLaneSplit> context, Set<Integer> unassigned) {
    this.context = context;
    this.unassigned = new TreeSet<>(unassigned);
  }

  @Override
  public void start() {}

  @Override
  public void handleSplitRequest(int subtaskId, String requesterHostname) {
    // Lanes are pushed on registration; readers never ask.
  }

  @Override
  public void addSplitsBack(List<MqttLaneSplit> splits, int subtaskId) {
    splits.forEach(split -> unassigned.add(split.lane()));
  }

  @Override
  public void addReader(int subtaskId) {
    int parallelism = context.currentParallelism();
    List<MqttLaneSplit> lanes = new ArrayList<>();
    for (Integer lane : new ArrayList<>(unassigned)) {
      if (lane % parallelism == subtaskId) {
        lanes.add(new MqttLaneSplit(lane));
        unassigned.remove(lane);
      }
    }
    lanes.forEach(lane -> context.assignSplit(lane, subtaskId));
  }

  @Override
  public MqttEnumeratorState snapshotState(long checkpointId) {
    return new MqttEnumeratorState(new TreeSet<>(unassigned));
  }

  @Override
  public void close() {}
}
