package io.citybrain.ingest.source;

import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

/**
 * Opens the lanes it is given and drains what they receive. Paho's callback thread only puts messages into a bounded
 * queue (blocking when it is full, which stops that lane reading and leaves the rest with the broker); {@link #fetch}
 * blocks on the queue and never spins; {@link #wakeUp} ends a blocked fetch.
 */
final class MqttLaneSplitReader implements SplitReader<Delivery, MqttLaneSplit> {
  private static final int MAX_BATCH = 2_000;
  private final MqttSourceConfig config;
  private final LaneConnections lanes;
  private final BlockingQueue<Delivery> queue;

  MqttLaneSplitReader(MqttSourceConfig config, LaneConnections lanes) {
    this.config = config;
    this.lanes = lanes;
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
  }

  @Override
  public RecordsWithSplitIds<Delivery> fetch() throws IOException {
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
    MqttSettings settings = config.qos() == 1
        ? MqttSettings.persistentConsumer(config.brokerUrl(), config.clientId(lane),
            config.sessionExpiry().toSeconds(), config.receiveMaximum())
        : MqttSettings.of(config.brokerUrl(), config.clientId(lane)).withMaxInflight(config.receiveMaximum());
    MqttConnection connection = PahoConnection.connect(settings);
    lanes.put(lane, connection);
    for (String filter : config.filtersOf(lane)) {
      connection.subscribe(filter, config.qos(), (topic, payload, packetId, qos) -> {
        try {
          queue.put(new Delivery(lane, topic, payload, packetId, qos, System.currentTimeMillis()));
        } catch (InterruptedException e) {
          // The client is closing; the message was not acknowledged and will be redelivered.
          Thread.currentThread().interrupt();
        }
      });
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
