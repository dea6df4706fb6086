package io.citybrain.ingest.source;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated source configuration. {@code topicFilters}: with a shared subscription every lane
 * subscribes to all of them; without, filter j belongs to lane j mod lanes (disjoint lanes, the
 * fallback if a broker loses messages of shared-subscription members that reconnect).
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
      throw new IllegalArgumentException(MqttSourceOptions.BROKER_URL.key() + " is required");
    }
    if (topicFilters.isEmpty()) {
      throw new IllegalArgumentException(
          MqttSourceOptions.TOPIC_FILTER.key() + " needs at least one filter");
    }
    if (lanes < 1) {
      throw new IllegalArgumentException(
          MqttSourceOptions.LANES.key() + " must be at least 1, was " + lanes);
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
      throw new IllegalArgumentException(
          MqttSourceOptions.QOS.key() + " must be 0 or 1, was " + qos);
    }
    if (receiveMaximum < 1 || receiveMaximum > 65_535) {
      throw new IllegalArgumentException(
          MqttSourceOptions.RECEIVE_MAXIMUM.key()
              + " must be within 1..65535, was "
              + receiveMaximum);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException(
          MqttSourceOptions.QUEUE_CAPACITY.key() + " must be positive");
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
