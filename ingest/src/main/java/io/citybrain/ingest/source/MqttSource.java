package io.citybrain.ingest.source;

import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * An unbounded MQTT 5 source for Flink (FLIP-27). It only wires the parts: lanes ({@link
 * MqttLaneSplit}) handed out by {@link MqttLaneEnumerator}, read by {@link MqttSourceReader},
 * acknowledged on checkpoint completion.
 *
 * <p>Lane lifecycle:
 *
 * <ol>
 *   <li>The enumerator creates lanes 0..n-1 and gives lane i to reader i mod parallelism.
 *   <li>A reader connects each lane as {@code {prefix}-lane-{i}} with a persistent session (QoS 1)
 *       and subscribes.
 *   <li>Messages are emitted to Flink, each with its event time; each checkpoint records the ones
 *       it covers and each lane's highest event time.
 *   <li>When the checkpoint completes, those messages are acknowledged to the broker.
 *   <li>On failure the job restores; lanes reconnect with the same client ids and the broker
 *       redelivers everything unacknowledged (downstream dedup and idempotent sinks absorb the
 *       repeats); each restored lane first emits a time marker with its checkpointed event time.
 * </ol>
 */
public final class MqttSource implements Source<MqttRecord, MqttLaneSplit, MqttEnumeratorState> {
  private static final long serialVersionUID = 1L;
  private final MqttSourceConfig config;
  private final LaneEventTime eventTime;

  /** A source whose records carry no event time: the watermark strategy assigns its own. */
  public MqttSource(MqttSourceConfig config) {
    this(config, LaneEventTime.NONE);
  }

  /**
   * A source that stamps each record with {@code eventTime} and keeps each lane's highest in its
   * checkpoint, so that a restored lane's watermark resumes from it.
   */
  public MqttSource(MqttSourceConfig config, LaneEventTime eventTime) {
    this.config = config;
    this.eventTime = eventTime;
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  @Override
  public SplitEnumerator<MqttLaneSplit, MqttEnumeratorState> createEnumerator(
      SplitEnumeratorContext<MqttLaneSplit> context) {
    Set<Integer> lanes = new TreeSet<>();
    for (int i = 0; i < config.lanes(); i++) {
      lanes.add(i);
    }
    return new MqttLaneEnumerator(context, lanes);
  }

  @Override
  public SplitEnumerator<MqttLaneSplit, MqttEnumeratorState> restoreEnumerator(
      SplitEnumeratorContext<MqttLaneSplit> context, MqttEnumeratorState state) {
    return new MqttLaneEnumerator(context, state.unassigned());
  }

  @Override
  public SourceReader<MqttRecord, MqttLaneSplit> createReader(SourceReaderContext context)
      throws Exception {
    return new MqttSourceReader(config, context, eventTime.open());
  }

  @Override
  public SimpleVersionedSerializer<MqttLaneSplit> getSplitSerializer() {
    return new MqttLaneSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<MqttEnumeratorState> getEnumeratorCheckpointSerializer() {
    return new MqttEnumeratorState.Serializer();
  }
}
