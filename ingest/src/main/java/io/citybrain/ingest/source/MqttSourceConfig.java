package io.citybrain.ingest.source;

import io.citybrain.access.BrokerLogin;
import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.settings.InvalidSettingException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated source configuration, built by whoever wires the source (the stream job's {@code
 * CityJobConfig}, which holds the defaults); the constructor is its one validation.
 *
 * @param login every lane logs in as the stream job ({@code citybrain-job}); the brokers refuse
 *     anonymous clients
 * @param caCertificate the PEM file of the CA of an {@code ssl://} broker, as a string (a {@link
 *     Path} is not serializable); null trusts the JVM's CAs
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
    BrokerLogin login,
    String caCertificate,
    List<String> topicFilters,
    String clientIdPrefix,
    int lanes,
    int qos,
    int receiveMaximum,
    Duration sessionExpiry,
    int queueCapacity,
    boolean sharedSubscription)
    implements Serializable, Described {

  /** Checks every setting; a failure names it in domain words ({@link InvalidSettingException}). */
  public MqttSourceConfig {
    Check.mqttUrl(Check.required(brokerUrl, "broker URL", "tcp://127.0.0.1:1883"), "broker URL");
    Check.require(
        login != null, "broker login", "is missing: the broker refuses anonymous clients");
    topicFilters = List.copyOf(topicFilters);
    Check.required(clientIdPrefix, "client id prefix", "citybrain-stream");
    Check.require(!topicFilters.isEmpty(), "topic filters", "must name at least one filter");
    Check.atLeast(lanes, 1, "lanes");
    Check.require(
        sharedSubscription || lanes <= topicFilters.size(),
        "lanes",
        "must not outnumber the "
            + topicFilters.size()
            + " topic filters without a shared subscription (every lane needs a filter), was "
            + lanes);
    Check.within(qos, 0, 1, "qos");
    Check.within(receiveMaximum, 1, 65_535, "receive maximum");
    Check.positive(sessionExpiry, "session expiry");
    Check.atLeast(queueCapacity, 1, "queue capacity");
  }

  @Override
  public Description describe() {
    return new Description("MQTT source")
        .url("broker URL", brokerUrl)
        .add("broker login", login.username())
        .add("broker CA certificate", caCertificate == null ? "(JVM default)" : caCertificate)
        .add("topic filters", topicFilters.size() + " (" + String.join(", ", topicFilters) + ")")
        .add("client id prefix", clientIdPrefix)
        .add("lanes", lanes + (sharedSubscription ? " (shared subscription)" : " (disjoint)"))
        .add("qos", qos)
        .add("receive maximum", receiveMaximum)
        .add("session expiry", sessionExpiry)
        .add("queue capacity", queueCapacity);
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

  /** The CA certificate's path, or null. */
  Path caPath() {
    return caCertificate == null ? null : Path.of(caCertificate);
  }

  String clientId(int lane) {
    return clientIdPrefix + "-lane-" + lane;
  }
}
