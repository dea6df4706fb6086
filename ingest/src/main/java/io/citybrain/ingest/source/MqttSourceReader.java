package io.citybrain.ingest.source;

import io.citybrain.mqtt.MqttConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Emits lane messages and acknowledges them when the checkpoint that covers them completes: the
 * at-least-once guarantee. Emitting, snapshotting and completing all happen on the task thread, so
 * every record emitted before {@link #snapshotState} is covered by that checkpoint. After a failure
 * nothing is acknowledged: the new reader's lanes resume their broker sessions and the broker
 * redelivers.
 */
final class MqttSourceReader
    extends SingleThreadMultiplexSourceReaderBase<
        Delivery, MqttRecord, MqttLaneSplit, MqttLaneSplit> {
  private final LaneConnections lanes;
  private final AckLedger ledger;
  private final LaneCounters perLane;

  MqttSourceReader(MqttSourceConfig config, SourceReaderContext context) {
    this(config, context, new LaneConnections(), new AckLedger());
  }

  private MqttSourceReader(
      MqttSourceConfig config,
      SourceReaderContext context,
      LaneConnections lanes,
      AckLedger ledger) {
    this(config, context, lanes, ledger, new LaneCounters(context.metricGroup()));
  }

  private MqttSourceReader(
      MqttSourceConfig config,
      SourceReaderContext context,
      LaneConnections lanes,
      AckLedger ledger,
      LaneCounters perLane) {
    super(
        () -> new MqttLaneSplitReader(config, lanes),
        (delivery, output, split) -> {
          perLane.received(delivery.lane()).inc();
          if (delivery.qos() > 0) {
            ledger.emitted(delivery.lane(), delivery.packetId());
          }
          output.collect(
              new MqttRecord(
                  delivery.topic(), delivery.payload(), delivery.lane(), delivery.receivedAtMs()));
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
  protected void onSplitFinished(Map<String, MqttLaneSplit> finishedSplitIds) {
    // Lanes never finish: the stream is unbounded.
  }

  @Override
  protected MqttLaneSplit initializedState(MqttLaneSplit split) {
    return split;
  }

  @Override
  protected MqttLaneSplit toSplitType(String splitId, MqttLaneSplit state) {
    return state;
  }
}
