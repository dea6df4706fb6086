package io.citybrain.ingest.source;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The MQTT source's options, with defaults and descriptions (the names are also its documentation).
 */
public final class MqttSourceOptions {
  public static final ConfigOption<String> BROKER_URL =
      ConfigOptions.key("mqtt.broker-url")
          .stringType()
          .noDefaultValue()
          .withDescription("The broker, e.g. tcp://127.0.0.1:1883.");

  public static final ConfigOption<String> TOPIC_FILTER =
      ConfigOptions.key("mqtt.topic-filter")
          .stringType()
          .defaultValue("city/v1/+/+/+")
          .withDescription("What the lanes subscribe to (upstream telemetry and batches).");

  public static final ConfigOption<String> CLIENT_ID_PREFIX =
      ConfigOptions.key("mqtt.client-id-prefix")
          .stringType()
          .defaultValue("citybrain-ingest")
          .withDescription(
              "Lane i connects as {prefix}-lane-{i}: stable across "
                  + "restarts and rescaling, so a restarted lane resumes its broker session. Unique per job.");

  public static final ConfigOption<Integer> LANES =
      ConfigOptions.key("mqtt.lanes")
          .intType()
          .defaultValue(2)
          .withDescription(
              "Connections sharing the subscription; spread over the source's readers.");

  public static final ConfigOption<Integer> QOS =
      ConfigOptions.key("mqtt.qos")
          .intType()
          .defaultValue(1)
          .withDescription(
              "1: at-least-once (acknowledged when the checkpoint covering a message completes). "
                  + "0: at-most-once, for streams where speed beats completeness: nothing is redelivered after a failure.");

  public static final ConfigOption<Integer> RECEIVE_MAXIMUM =
      ConfigOptions.key("mqtt.receive-maximum")
          .intType()
          .defaultValue(60_000)
          .withDescription(
              "Unacknowledged messages the broker may have out to one lane. Messages "
                  + "stay unacknowledged until a checkpoint completes, so a lane carries at most this many per checkpoint "
                  + "interval; the broker queues the rest.");

  public static final ConfigOption<Duration> SESSION_EXPIRY =
      ConfigOptions.key("mqtt.session-expiry")
          .durationType()
          .defaultValue(Duration.ofDays(1))
          .withDescription(
              "How long the broker keeps a lane's session (and its "
                  + "queue) while the lane is down.");

  public static final ConfigOption<Integer> QUEUE_CAPACITY =
      ConfigOptions.key("mqtt.queue-capacity")
          .intType()
          .defaultValue(20_000)
          .withDescription(
              "QoS 0 only: messages a reader buffers between the MQTT client and "
                  + "Flink; beyond it they are dropped and counted. (At QoS 1 the Receive Maximum bounds the buffer.)");

  public static final ConfigOption<Boolean> SHARED_SUBSCRIPTION =
      ConfigOptions.key("mqtt.shared-subscription")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "false (default): the filters (e.g. one per district) are "
                  + "divided between the lanes, and each lane's persistent session queues its share while the lane is down. "
                  + "true: every lane subscribes $share/{prefix}/{filter}; on Mosquitto 2.0 this lost messages published "
                  + "while every member was reconnecting (BrokerRestartIT), so use it only where that is acceptable.");

  private MqttSourceOptions() {}
}
