package io.citybrain.api.ops;

import io.citybrain.access.TopicRights;
import io.citybrain.mqtt.MqttConnection;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the broker holds that its consumers have not acknowledged, as Mosquitto reports it on {@code
 * $SYS} every {@code sys_interval} (5 s in the shipped configuration): the messages in its store
 * less the retained ones. In CityBrain the stream job's lanes are the only persistent subscribers
 * of telemetry, so this is their queued plus in-flight messages, all lanes together (Mosquitto 2.0
 * has no per-session figure). A broker without {@code $SYS} (the embedded HiveMQ) leaves it
 * unknown.
 */
final class BrokerBacklog {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerBacklog.class);
  static final String STORED = TopicRights.BROKER_FIGURES.get(0);
  static final String RETAINED = TopicRights.BROKER_FIGURES.get(1);

  private volatile long stored = -1;
  private volatile long retained;
  private volatile long updatedAtMs;

  /** Subscribes on the API's connection; the handlers only keep the numbers. */
  void subscribe(MqttConnection mqtt) {
    try {
      mqtt.subscribe(RETAINED, 0, (topic, payload) -> retained = parse(payload, retained));
      mqtt.subscribe(STORED, 0, (topic, payload) -> stored = parse(payload, stored));
    } catch (RuntimeException refused) {
      // A broker that refuses $SYS (or has none) leaves the figure unknown; the API still runs.
      LOG.warn("broker backlog unknown: cannot subscribe to {}: {}", STORED, refused.getMessage());
    }
  }

  /** Messages held for consumers, or empty while the broker has published no $SYS figure. */
  OptionalLong queued() {
    long s = stored;
    return s < 0 ? OptionalLong.empty() : OptionalLong.of(Math.max(0, s - retained));
  }

  /** When the broker last reported its store (epoch ms), 0 never. */
  long updatedAtMs() {
    return updatedAtMs;
  }

  private long parse(byte[] payload, long previous) {
    try {
      long value = Long.parseLong(new String(payload, StandardCharsets.US_ASCII).trim());
      updatedAtMs = System.currentTimeMillis();
      return value;
    } catch (NumberFormatException e) {
      return previous;
    }
  }
}
