package io.citybrain.api.response;

import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.vertx.core.Context;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease holder's persistent MQTT session for command acks, one per installation: while no API
 * process is up the broker queues the devices' acks in it, and the next leader resumes it and gets
 * them. Without it an ack sent while every API process was down was gone, and a target whose last
 * attempt had been sent before the kill ended {@code timed_out} although its device had done it.
 *
 * <p>Only the lease holder opens it: one client id for the installation, so two processes holding
 * it at once would take it from each other. Each ack is acknowledged to the broker after it was
 * handed to the dispatcher on the event loop; one received before a reconnect is left for the
 * broker to send again (its packet id may name another message on the new connection).
 */
public final class LeaderAckSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderAckSession.class);

  /** Long enough for an outage of every API process; acks are small and few. */
  public static final long SESSION_EXPIRY_SECONDS = 24 * 3600;

  private final MqttSettings settings;
  private final Context context;
  private final BiConsumer<String, byte[]> onAck;
  private volatile MqttConnection connection;

  public LeaderAckSession(
      MqttSettings settings, Context context, BiConsumer<String, byte[]> onAck) {
    this.settings = settings;
    this.context = context;
    this.onAck = onAck;
  }

  /** Connects (resuming the session and what it queued) and subscribes; blocks: not on a loop. */
  public synchronized void open() {
    if (connection != null) {
      return;
    }
    MqttConnection c = PahoConnection.connect(settings);
    c.subscribe(
        Topics.filter(MessageClass.ACK, Topics.ANY),
        1,
        (MqttConnection.DeliveryHandler)
            (topic, payload, packetId, qos) -> {
              long connectedAs = c.reconnects();
              context.runOnContext(
                  v -> {
                    onAck.accept(topic, payload);
                    if (c.reconnects() == connectedAs) {
                      c.acknowledge(packetId, qos);
                    }
                  });
            });
    connection = c;
    LOG.info("response leader: ack session {} open", settings.clientId());
  }

  /** Whether the session is open here (the leader then takes acks from it only). */
  public boolean isOpen() {
    return connection != null;
  }

  @Override
  public synchronized void close() {
    MqttConnection c = connection;
    connection = null;
    if (c != null) {
      c.close();
      LOG.info("response leader: ack session {} closed", settings.clientId());
    }
  }
}
