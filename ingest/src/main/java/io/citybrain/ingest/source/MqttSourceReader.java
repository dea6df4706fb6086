package io.citybrain.ingest.source;

import io.citybrain.mqtt.MqttConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Emits lane messages and acknowledges them when the checkpoint that covers them completes: the
 * at-least-once guarantee. Emitting, snapshotting and completing all happen on the task thread, so
 * every record emitted before {@link #snapshotState} is covered by that checkpoint. After a failure
 * nothing is acknowledged: the new reader's lanes resume their broker sessions and the broker
 * redelivers.
 *
 * <p>Each lane's state keeps the highest event time it emitted; a restored lane first emits a time
 * marker with it, so that its watermark resumes where the checkpoint left it (Flink checkpoints no
 * watermarks: without this a job restored into a quiet stream would never close its open windows).
 * Every lane's watermark output is registered when the lane is added, before its first message:
 * Flink registers one only at a split's first record, so a lane that connected late found the
 * others' time already past its first messages, which then came late.
 */
final class MqttSourceReader
    extends SingleThreadMultiplexSourceReaderBase<
        Delivery, MqttRecord, MqttLaneSplit, LaneProgress> {
  private final LaneConnections lanes;
  private final AckLedger ledger;
  private final LaneCounters perLane;
  private final List<LaneProgress> unregistered = new ArrayList<>();

  MqttSourceReader(
      MqttSourceConfig config, SourceReaderContext context, ToLongFunction<MqttRecord> eventTime) {
    this(config, context, new LaneConnections(), new AckLedger(), eventTime);
  }

  private MqttSourceReader(
      MqttSourceConfig config,
      SourceReaderContext context,
      LaneConnections lanes,
      AckLedger ledger,
      ToLongFunction<MqttRecord> eventTime) {
    this(config, context, lanes, ledger, new LaneCounters(context.metricGroup()), eventTime);
  }

  private MqttSourceReader(
      MqttSourceConfig config,
      SourceReaderContext context,
      LaneConnections lanes,
      AckLedger ledger,
      LaneCounters perLane,
      ToLongFunction<MqttRecord> eventTime) {
    super(
        () -> new MqttLaneSplitReader(config, lanes),
        (delivery, output, lane) -> {
          perLane.received(delivery.lane()).inc();
          if (delivery.qos() > 0) {
            ledger.emitted(delivery.lane(), delivery.packetId());
          }
          MqttRecord record =
              new MqttRecord(
                  delivery.topic(), delivery.payload(), delivery.lane(), delivery.receivedAtMs());
          long time = eventTime.applyAsLong(record);
          if (time != Long.MIN_VALUE) {
            lane.emitted(time);
          }
          output.collect(record, time);
        },
        new Configuration(),
        context);
    this.lanes = lanes;
    this.ledger = ledger;
    this.perLane = perLane;
    context.metricGroup().gauge("mqttPendingAcknowledgement", ledger::unacknowledged);
    context.metricGroup().gauge("mqttDroppedQos0", () -> lanes.dropped().get());
    context
        .metricGroup()
        .gauge(
            "mqttReconnects",
            () -> lanes.all().values().stream().mapToLong(MqttConnection::reconnects).sum());
  }

  @Override
  public void addSplits(List<MqttLaneSplit> splits) {
    for (MqttLaneSplit split : splits) {
      unregistered.add(new LaneProgress(split));
    }
    super.addSplits(splits);
  }

  @Override
  public InputStatus pollNext(ReaderOutput<MqttRecord> output) throws Exception {
    if (!unregistered.isEmpty()) {
      // Before any message: each lane's watermark output exists from the start, so a lane that
      // connects late holds time back (until it goes idle) instead of finding it moved past its
      // first messages; a restored lane's generator resumes from the checkpointed time.
      for (LaneProgress lane : unregistered) {
        SourceOutput<MqttRecord> laneOutput = output.createOutputForSplit(lane.toSplit().splitId());
        if (lane.eventTimeMs != Long.MIN_VALUE) {
          laneOutput.collect(
              MqttRecord.laneTime(lane.lane, System.currentTimeMillis()), lane.eventTimeMs);
        }
      }
      unregistered.clear();
    }
    return super.pollNext(output);
  }

  @Override
  public List<MqttLaneSplit> snapshotState(long checkpointId) {
    ledger.snapshot(checkpointId);
    return super.snapshotState(checkpointId);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    for (long[] acks : ledger.complete(checkpointId)) {
      for (long packed : acks) {
        MqttConnection lane = lanes.get(AckLedger.lane(packed));
        if (lane != null) {
          lane.acknowledge(AckLedger.packetId(packed), 1);
          perLane.acknowledged(AckLedger.lane(packed)).inc();
        }
      }
    }
    super.notifyCheckpointComplete(checkpointId);
  }

  /** Counters per lane, under the metric group lane={n}. */
  private static final class LaneCounters {
    private final MetricGroup group;
    private final Map<Integer, Counter[]> byLane = new HashMap<>();

    LaneCounters(MetricGroup group) {
      this.group = group;
    }

    Counter received(int lane) {
      return counters(lane)[0];
    }

    Counter acknowledged(int lane) {
      return counters(lane)[1];
    }

    private Counter[] counters(int lane) {
      return byLane.computeIfAbsent(
          lane,
          l -> {
            MetricGroup laneGroup = group.addGroup("lane", Integer.toString(l));
            return new Counter[] {
              laneGroup.counter("mqttReceived"), laneGroup.counter("mqttAcknowledged")
            };
          });
    }
  }

  @Override
  protected void onSplitFinished(Map<String, LaneProgress> finishedSplitIds) {
    // Lanes never finish: the stream is unbounded.
  }

  @Override
  protected LaneProgress initializedState(MqttLaneSplit split) {
    return new LaneProgress(split);
  }

  @Override
  protected MqttLaneSplit toSplitType(String splitId, LaneProgress state) {
    return state.toSplit();
  }
}
