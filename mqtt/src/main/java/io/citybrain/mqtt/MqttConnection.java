package io.citybrain.mqtt;

/**
 * A connection to an MQTT 5 broker: CityBrain's own small interface, so that the client library
 * stays replaceable.
 *
 * <p>Threading: {@link #publish} may be called from any thread and blocks while the broker's
 * Receive Maximum of messages is in flight (that is the flow control). Handlers and publish
 * callbacks run on the client's one callback thread: they must hand real work to a queue and return
 * at once.
 */
public interface MqttConnection extends AutoCloseable {

  /**
   * Publishes a message; {@code done} is told when the broker has it (QoS 1: PUBACK) or it failed.
   */
  void publish(String topic, byte[] payload, int qos, boolean retained, PublishCallback done)
      throws InterruptedException;

  /**
   * Publishes with MQTT 5 Message Expiry: the broker discards the message if undelivered after that
   * many seconds.
   */
  void publish(String topic, byte[] payload, int qos, long expirySeconds, PublishCallback done)
      throws InterruptedException;

  /** Subscribes (waits for the SUBACK); the subscription is renewed after automatic reconnects. */
  void subscribe(String filter, int qos, MessageHandler handler);

  /**
   * Subscribes with a handler that also gets each message's packet id and QoS, for {@link
   * #acknowledge}.
   */
  void subscribe(String filter, int qos, DeliveryHandler handler);

  /**
   * Subscribes with a handler that also gets each message's MQTT retain flag (a device refuses a
   * retained command: it is a replay).
   */
  default void subscribe(String filter, int qos, RetainAwareHandler handler) {
    subscribe(
        filter,
        qos,
        new DeliveryHandler() {
          @Override
          public void onMessage(String topic, byte[] payload, int packetId, int q) {
            handler.onMessage(topic, payload, false);
          }

          @Override
          public void onMessage(
              String topic, byte[] payload, int packetId, int q, boolean retained) {
            handler.onMessage(topic, payload, retained);
          }
        });
  }

  /** Removes a subscription (on the broker and here); harmless when there is none. */
  void unsubscribe(String filter);

  /**
   * Takes messages that match none of this connection's subscriptions (a resumed session may still
   * carry a filter from an earlier configuration); those held so far are handed over at once.
   * Without one they are held.
   */
  void onUnmatched(DeliveryHandler handler);

  /**
   * With manual acks: tells the broker a delivered QoS 1 message is done with. Packet ids survive a
   * reconnect of a persistent session (the broker redelivers with the same id), so an ack after a
   * reconnect still names its message.
   */
  void acknowledge(int packetId, int qos);

  /** How many messages may be in flight at once on this connection. */
  int inflightLimit();

  /** Reconnects since this connection was opened. */
  long reconnects();

  /**
   * Runs {@code listener} after every automatic reconnect (not the first connect), on a thread of
   * its own, so it may publish and block.
   */
  void onReconnect(Runnable listener);

  boolean isConnected();

  String clientId();

  @Override
  void close();

  /** Receives messages of one subscription; runs on the client's callback thread. */
  @FunctionalInterface
  interface MessageHandler {
    void onMessage(String topic, byte[] payload);
  }

  /**
   * Receives messages with what is needed to acknowledge them; runs on the client's callback
   * thread.
   */
  @FunctionalInterface
  interface DeliveryHandler {
    void onMessage(String topic, byte[] payload, int packetId, int qos);

    /**
     * The same with the message's retain flag, which the connection passes; ignored unless
     * overridden.
     */
    default void onMessage(String topic, byte[] payload, int packetId, int qos, boolean retained) {
      onMessage(topic, payload, packetId, qos);
    }
  }

  /** Receives messages with their retain flag; runs on the client's callback thread. */
  @FunctionalInterface
  interface RetainAwareHandler {
    void onMessage(String topic, byte[] payload, boolean retained);
  }

  /** Told once per publish: {@code error} is null when the broker accepted the message. */
  @FunctionalInterface
  interface PublishCallback {
    void done(Throwable error);

    PublishCallback IGNORE = error -> {};
  }
}
