package io.citybrain.ingest.source;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated source configuration, built by whoever wires the source (the stream job's {@code
 * CityJobConfig}, which holds the defaults).
 *
 * @param topicFilters with a shared subscription every lane subscribes to all of them; without,
 *     filter j belongs to lane j mod lanes (disjoint lanes, the default: on Mosquitto 2.0 a shared
 *     subscription lost messages published while every member was reconnecting, BrokerRestartIT)
 * @param clientIdPrefix lane i connects as {prefix}-lane-{i}: stable across restarts and rescaling,
 *     so a restarted lane resumes its broker session; unique per job
 * @param lanes connections, spread over the source's readers
 * @param qos 1: at-least-once (acknowledged when the checkpoint covering a message completes); 0:
 *     at-most-once, nothing is redelivered after a failure
 * @param receiveMaximum unacknowledged messages the broker may have out to one lane: messages stay
 *     unacknowledged until a checkpoint completes, so a lane carries at most this many per
 *     checkpoint interval and the broker queues the rest
 * @param sessionExpiry how long the broker keeps a lane's session (and its queue) while it is down
 * @param queueCapacity QoS 0 only: messages a reader buffers between the MQTT client and Flink;
 *     beyond it they are dropped and counted (at QoS 1 the Receive Maximum bounds the buffer)
 */
public record MqttSourceConfig(
    String brokerUrl,
    List<String> topicFilters,
    String clientIdPrefix,
    int lanes,
    int qos,
    int receiveMaximum,
    Duration sessionExpiry,
    int queueCapacity,
    boolean sharedSubscription)
    implements Serializable {

  public MqttSourceConfig {
    topicFilters = List.copyOf(topicFilters);
    if (brokerUrl == null || brokerUrl.isBlank()) {
      throw new IllegalArgumentException("the MQTT broker URL is required");
    }
    if (topicFilters.isEmpty()) {
      throw new IllegalArgumentException("the MQTT source needs at least one topic filter");
    }
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be at least 1, was " + lanes);
    }
    if (!sharedSubscription && topicFilters.size() < lanes) {
      throw new IllegalArgumentException(
          "without a shared subscription every lane needs a filter: "
              + topicFilters.size()
              + " filters for "
              + lanes
              + " lanes");
    }
    if (qos != 0 && qos != 1) {
      throw new IllegalArgumentException("qos must be 0 or 1, was " + qos);
    }
    if (receiveMaximum < 1 || receiveMaximum > 65_535) {
      throw new IllegalArgumentException(
          "receive maximum must be within 1..65535, was " + receiveMaximum);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queue capacity must be positive, was " + queueCapacity);
    }
  }

  /** The filters lane {@code lane} subscribes to, as it sends them to the broker. */
  List<String> filtersOf(int lane) {
    if (sharedSubscription) {
      return topicFilters.stream().map(f -> "$share/" + clientIdPrefix + "/" + f).toList();
    }
    List<String> own = new ArrayList<>();
    for (int j = lane; j < topicFilters.size(); j += lanes) {
      own.add(topicFilters.get(j));
    }
    return own;
  }

  /**
   * Filters of this configuration that lane {@code lane} must not hold (another lane's, or the
   * other sharing mode).
   */
  List<String> filtersNotOf(int lane) {
    List<String> own = filtersOf(lane);
    List<String> foreign = new ArrayList<>();
    for (String f : topicFilters) {
      for (String form : List.of(f, "$share/" + clientIdPrefix + "/" + f)) {
        if (!own.contains(form)) {
          foreign.add(form);
        }
      }
    }
    return foreign;
  }

  String clientId(int lane) {
    return clientIdPrefix + "-lane-" + lane;
  }
}
