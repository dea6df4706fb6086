package io.citybrain.ingest.source;

import io.citybrain.mqtt.MqttConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open lane connections of one reader, shared by its fetcher thread (opens them) and task
 * thread (acks on them).
 */
final class LaneConnections {
  private final Map<Integer, MqttConnection> byLane = new ConcurrentHashMap<>();

  /** QoS 0 messages dropped because the hand-off queue was full. */
  private final AtomicLong dropped = new AtomicLong();

  AtomicLong dropped() {
    return dropped;
  }

  void put(int lane, MqttConnection connection) {
    byLane.put(lane, connection);
  }

  MqttConnection get(int lane) {
    return byLane.get(lane);
  }

  Map<Integer, MqttConnection> all() {
    return byLane;
  }

  void closeAll() {
    // Disconnect without acknowledging: what is unacknowledged stays in each lane's broker session
    // for redelivery.
    byLane.values().forEach(MqttConnection::close);
    byLane.clear();
  }
}
