package io.citybrain.ingest.source;

import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

/**
 * Opens the lanes it is given and drains what they receive. Paho's callback thread only adds
 * messages to the hand-off queue and never blocks: blocking it would also stall the SUBACKs and
 * token completions this thread waits for (a resumed session floods the lane right after CONNACK),
 * a deadlock seen in testing.
 *
 * <p>Flow control: at QoS 1 nothing is acknowledged before a checkpoint, so the broker never has
 * more than the lane's Receive Maximum of messages out to it; the queue is bounded by lanes x
 * Receive Maximum without a limit of its own. At QoS 0 there are no acknowledgements to bound it:
 * the queue has {@code queueCapacity} and drops (and counts) the overflow, as at-most-once
 * promises. {@link #fetch} blocks on the queue and never spins; {@link #wakeUp} ends it.
 */
final class MqttLaneSplitReader implements SplitReader<Delivery, MqttLaneSplit> {
  private static final int MAX_BATCH = 2_000;
  private final MqttSourceConfig config;
  private final LaneConnections lanes;
  private final BlockingQueue<Delivery> queue;

  MqttLaneSplitReader(MqttSourceConfig config, LaneConnections lanes) {
    this.config = config;
    this.lanes = lanes;
    this.queue =
        config.qos() == 1
            ? new LinkedBlockingQueue<>()
            : new ArrayBlockingQueue<>(config.queueCapacity());
  }

  @Override
  public RecordsWithSplitIds<Delivery> fetch() throws IOException {
    // A lane that lost the broker fails the reader: Flink restarts from the last checkpoint, the
    // new reader connects
    // the lane afresh with the same client id, and the broker redelivers what was never
    // acknowledged.
    for (var lane : lanes.all().entrySet()) {
      if (!lane.getValue().isConnected()) {
        throw new IOException(
            "MQTT lane "
                + lane.getKey()
                + " ("
                + lane.getValue().clientId()
                + ") lost its connection to "
                + config.brokerUrl());
      }
    }
    RecordsBySplits.Builder<Delivery> records = new RecordsBySplits.Builder<>();
    try {
      Delivery first = queue.poll(1, TimeUnit.SECONDS);
      List<Delivery> batch = new ArrayList<>(MAX_BATCH);
      if (first != null) {
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
      }
      for (Delivery d : batch) {
        if (d != Delivery.WAKE_UP) {
          records.add("lane-" + d.lane(), d);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for MQTT messages", e);
    }
    return records.build();
  }

  @Override
  public void handleSplitsChanges(SplitsChange<MqttLaneSplit> change) {
    if (!(change instanceof SplitsAddition)) {
      throw new UnsupportedOperationException("MQTT lanes are only ever added, not " + change);
    }
    for (MqttLaneSplit split : change.splits()) {
      open(split.lane());
    }
  }

  private void open(int lane) {
    MqttSettings settings =
        config.qos() == 1
            ? MqttSettings.persistentConsumer(
                config.brokerUrl(),
                config.clientId(lane),
                config.sessionExpiry().toSeconds(),
                config.receiveMaximum())
            : MqttSettings.of(config.brokerUrl(), config.clientId(lane))
                .withMaxInflight(config.receiveMaximum());
    settings = settings.toBuilder().login(config.login()).caCertificate(config.caPath()).build();
    MqttConnection connection = PahoConnection.connect(settings);
    lanes.put(lane, connection);
    MqttConnection.DeliveryHandler toQueue =
        (topic, payload, packetId, qos) -> {
          if (!queue.offer(
              new Delivery(lane, topic, payload, packetId, qos, System.currentTimeMillis()))) {
            lanes.dropped().incrementAndGet();
          }
        };
    // A resumed session may carry filters of an earlier configuration (other lane count, filters,
    // sharing): what they
    // deliver is still telemetry, so it is taken and acknowledged like the rest rather than held
    // unacknowledged,
    // which would fill the lane's window. Filters of this configuration that another lane owns are
    // dropped.
    connection.onUnmatched(toQueue);
    for (String foreign : config.filtersNotOf(lane)) {
      connection.unsubscribe(foreign);
    }
    for (String filter : config.filtersOf(lane)) {
      connection.subscribe(filter, config.qos(), toQueue);
    }
  }

  @Override
  public void wakeUp() {
    queue.offer(Delivery.WAKE_UP);
  }

  @Override
  public void close() {
    lanes.closeAll();
    queue.clear();
  }
}
