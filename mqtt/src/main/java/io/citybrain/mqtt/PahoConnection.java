package io.citybrain.mqtt;

import io.citybrain.access.BrokerLogin;
import io.citybrain.access.ClientIds;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link MqttConnection} on Eclipse Paho's MQTT 5 async client. */
public final class PahoConnection implements MqttConnection {
  private static final Logger LOG = LoggerFactory.getLogger(PahoConnection.class);
  private final MqttSettings settings;
  private final MqttAsyncClient client;
  private final Semaphore inflight;
  private final int inflightLimit;
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong handlerFailures = new AtomicLong();
  private final AtomicLong pahoInflightWaits = new AtomicLong();

  /** How long a publish waits for Paho's own in-flight count: its keepalive, as for a PUBACK. */
  static final java.time.Duration MAX_INFLIGHT_WAIT = java.time.Duration.ofSeconds(30);

  private volatile boolean closing;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();

  /**
   * Messages that arrived before any subscription matched them: a resumed persistent session gets
   * its queue right after CONNACK, before {@link #subscribe} runs. They wait here (bounded) instead
   * of being lost.
   */
  private final Deque<Held> unmatched = new ArrayDeque<>();

  private final Object dispatch = new Object();
  private DeliveryHandler unmatchedHandler;
  static final int MAX_UNMATCHED = 100_000;

  private PahoConnection(MqttSettings settings, MqttAsyncClient client, int inflightLimit) {
    this.settings = settings;
    this.client = client;
    this.inflightLimit = inflightLimit;
    this.inflight = new Semaphore(inflightLimit);
  }

  /**
   * Connects and waits for the CONNACK; fails with {@link MqttConnectException} naming the broker
   * and the reason.
   */
  public static PahoConnection connect(MqttSettings settings) {
    MqttAsyncClient client;
    try {
      client = new MqttAsyncClient(settings.url(), wireClientId(settings), new MemoryPersistence());
    } catch (MqttException e) {
      throw new MqttConnectException(
          "cannot create an MQTT client for " + settings.url() + ": " + e.getMessage(), e);
    }
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(settings.cleanStart());
    options.setSessionExpiryInterval(settings.sessionExpirySeconds());
    options.setAutomaticReconnect(settings.automaticReconnect());
    options.setAutomaticReconnectDelay(1, 30);
    options.setConnectionTimeout(settings.connectTimeoutSeconds());
    options.setKeepAliveInterval(30);
    options.setReceiveMaximum(Math.min(settings.maxInflight(), 65_535));
    options.setMaximumPacketSize((long) settings.maxPacketSize());
    if (settings.username() != null) {
      options.setUserName(settings.username());
      options.setPassword(settings.password().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    if (settings.caCertificate() != null) {
      options.setSocketFactory(TlsTrust.trusting(settings.caCertificate()));
    }
    client.setManualAcks(settings.manualAcks());
    EarlyCallback early = new EarlyCallback();
    try {
      // The callback goes in before CONNECT: a resumed session's queued messages can arrive right
      // after CONNACK.
      client.setCallback(early);
      IMqttToken token = client.connect(options);
      token.waitForCompletion(settings.connectTimeoutSeconds() * 1000L + 1000);
      if (!client.isConnected()) {
        closeQuietly(client);
        throw new MqttConnectException(
            "cannot connect to "
                + settings.url()
                + ": no CONNACK within "
                + settings.connectTimeoutSeconds()
                + " s",
            null);
      }
      Integer serverMaximum =
          token.getResponseProperties() == null
              ? null
              : token.getResponseProperties().getReceiveMaximum();
      // MQTT 5: absent Receive Maximum means 65,535. Never put more in flight than the broker
      // accepts.
      int limit = Math.min(settings.maxInflight(), serverMaximum == null ? 65_535 : serverMaximum);
      PahoConnection connection = new PahoConnection(settings, client, limit);
      early.handOver(connection);
      client.setCallback(connection.new Events());
      return connection;
    } catch (MqttException e) {
      closeQuietly(client);
      throw new MqttConnectException("cannot connect to " + settings.url() + ": " + describe(e), e);
    }
  }

  @Override
  public void publish(String topic, byte[] payload, int qos, boolean retained, PublishCallback done)
      throws InterruptedException {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(qos);
    message.setRetained(retained);
    send(topic, message, done);
  }

  @Override
  public void publish(
      String topic, byte[] payload, int qos, long expirySeconds, PublishCallback done)
      throws InterruptedException {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(qos);
    MqttProperties properties = new MqttProperties();
    properties.setMessageExpiryInterval(expirySeconds);
    message.setProperties(properties);
    send(topic, message, done);
  }

  private void send(String topic, MqttMessage message, PublishCallback done)
      throws InterruptedException {
    inflight.acquire();
    try {
      publishWhenPahoHasRoom(
          topic,
          message,
          new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              inflight.release();
              done.done(null);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable error) {
              inflight.release();
              done.done(
                  error == null
                      ? new IllegalStateException("publish to " + topic + " failed")
                      : error);
            }
          });
    } catch (MqttException | RuntimeException e) {
      inflight.release();
      done.done(e);
    }
  }

  /**
   * Publishes, waiting while Paho refuses with "Too many publishes in progress" although this
   * connection's permits had room: Paho counts the messages it has on the wire itself, and after a
   * broker restart its count was seen above ours (a crash loop of 20 kills in 30 s: 3,777 first
   * publishes and 5,509 replayed ones refused so, and the replay after the last kill lost 2,288
   * readings the broker had acknowledged before). That refusal is flow control, not a failure, so
   * the publish waits for Paho's count to fall, as it would for a permit, up to {@link
   * #MAX_INFLIGHT_WAIT}; a connection that drops meanwhile fails it as before.
   */
  private void publishWhenPahoHasRoom(String topic, MqttMessage message, MqttActionListener done)
      throws MqttException, InterruptedException {
    long deadline = System.nanoTime() + MAX_INFLIGHT_WAIT.toNanos();
    while (true) {
      try {
        client.publish(topic, message, null, done);
        return;
      } catch (MqttException e) {
        if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT
            || closing
            || !client.isConnected()
            || System.nanoTime() - deadline > 0) {
          throw e;
        }
        if (pahoInflightWaits.incrementAndGet() % 10_000 == 1) {
          LOG.warn(
              "{}: Paho has {} publishes in flight, at its limit, while this connection counts {}"
                  + " of {}: waiting",
              settings.clientId(),
              client.getInFlightMessageCount(),
              inflightLimit - inflight.availablePermits(),
              inflightLimit);
        }
        Thread.sleep(1);
      }
    }
  }

  /** Publishes that waited for Paho's own in-flight count (see {@link #publishWhenPahoHasRoom}). */
  public long pahoInflightWaits() {
    return pahoInflightWaits.get();
  }

  @Override
  public void subscribe(String filter, int qos, MessageHandler handler) {
    subscribe(
        filter,
        qos,
        (DeliveryHandler) (topic, payload, packetId, q) -> handler.onMessage(topic, payload));
  }

  @Override
  public void acknowledge(int packetId, int qos) {
    if (!settings.manualAcks() || qos == 0) {
      return;
    }
    try {
      client.messageArrivedComplete(packetId, qos);
    } catch (MqttException e) {
      // Not acknowledged: the broker redelivers after the next reconnect, and downstream dedup
      // absorbs it.
      LOG.warn("{}: ack of packet {} failed: {}", settings.clientId(), packetId, e.getMessage());
    }
  }

  @Override
  public void subscribe(String filter, int qos, DeliveryHandler handler) {
    Subscription subscription = new Subscription(filter, qos, handler);
    synchronized (dispatch) {
      // Registered before the SUBSCRIBE goes out, and held messages it matches delivered first, in
      // arrival order.
      subscriptions.add(subscription);
      for (Iterator<Held> it = unmatched.iterator(); it.hasNext(); ) {
        Held held = it.next();
        if (subscription.matches(held.topic)) {
          it.remove();
          handOver(handler, held.topic, held.payload, held.packetId, held.qos, held.retained);
        }
      }
    }
    subscribeOnBroker(subscription);
  }

  @Override
  public void unsubscribe(String filter) {
    subscriptions.removeIf(s -> s.filter.equals(filter));
    try {
      client.unsubscribe(filter).waitForCompletion(settings.connectTimeoutSeconds() * 1000L);
    } catch (MqttException e) {
      LOG.warn("{}: could not unsubscribe {}: {}", settings.clientId(), filter, e.getMessage());
    }
  }

  @Override
  public void onUnmatched(DeliveryHandler handler) {
    synchronized (dispatch) {
      unmatchedHandler = handler;
      Held held;
      while ((held = unmatched.pollFirst()) != null) {
        handOver(handler, held.topic, held.payload, held.packetId, held.qos, held.retained);
      }
    }
  }

  /**
   * Every message goes through here, on Paho's callback thread: to the first subscription whose
   * filter matches.
   */
  private void deliver(String topic, MqttMessage message) {
    synchronized (dispatch) {
      for (Subscription s : subscriptions) {
        if (s.matches(topic)) {
          handOver(
              s.handler,
              topic,
              message.getPayload(),
              message.getId(),
              message.getQos(),
              message.isRetained());
          return;
        }
      }
      if (unmatchedHandler != null) {
        handOver(
            unmatchedHandler,
            topic,
            message.getPayload(),
            message.getId(),
            message.getQos(),
            message.isRetained());
        return;
      }
      if (unmatched.size() >= MAX_UNMATCHED) {
        LOG.warn(
            "{}: {} messages arrived for no subscription; dropping the oldest",
            settings.clientId(),
            MAX_UNMATCHED);
        unmatched.pollFirst();
      }
      unmatched.addLast(
          new Held(
              topic,
              message.getPayload(),
              message.getId(),
              message.getQos(),
              message.isRetained()));
    }
  }

  /**
   * Calls a handler and contains its failure: an exception reaching Paho's callback thread would
   * drop the connection, and on a persistent session the same message would come back and drop it
   * again.
   */
  private void handOver(
      DeliveryHandler handler,
      String topic,
      byte[] payload,
      int packetId,
      int qos,
      boolean retained) {
    try {
      handler.onMessage(topic, payload, packetId, qos, retained);
    } catch (RuntimeException e) {
      handlerFailures.incrementAndGet();
      LOG.warn(
          "{}: handler failed on a message from {}: {}", settings.clientId(), topic, e.toString());
    }
  }

  private void subscribeOnBroker(Subscription s) {
    try {
      // Plain subscribe: messages reach Events.messageArrived and our own dispatch. (Paho 1.2.5's
      // subscribe(String, int, IMqttMessageListener) also recurses until the stack overflows.)
      IMqttToken token =
          client.subscribe(new MqttSubscription[] {new MqttSubscription(s.filter, s.qos)});
      token.waitForCompletion(settings.connectTimeoutSeconds() * 1000L);
      int[] codes = token.getReasonCodes();
      if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
        throw new IllegalStateException(
            "broker refused subscription to "
                + s.filter
                + " (reason code 0x"
                + Integer.toHexString(codes[0])
                + ")");
      }
    } catch (MqttException e) {
      throw new IllegalStateException(
          "cannot subscribe to " + s.filter + " on " + settings.url() + ": " + describe(e), e);
    }
  }

  @Override
  public int inflightLimit() {
    return inflightLimit;
  }

  @Override
  public long reconnects() {
    return reconnects.get();
  }

  @Override
  public void onReconnect(Runnable listener) {
    reconnectListeners.add(listener);
  }

  @Override
  public boolean isConnected() {
    return client.isConnected();
  }

  @Override
  public String clientId() {
    return settings.clientId();
  }

  @Override
  public void close() {
    closing = true;
    try {
      if (client.isConnected()) {
        client.disconnect(5_000).waitForCompletion(6_000);
      }
    } catch (MqttException e) {
      LOG.debug("disconnect of {} failed: {}", settings.clientId(), e.getMessage());
    } finally {
      closeQuietly(client);
    }
  }

  /**
   * Stops a client whatever state it is in (connecting, reconnecting, connected), so no stray
   * connection remains.
   */
  private static void closeQuietly(MqttAsyncClient client) {
    try {
      client.disconnectForcibly(0, 1_000, false);
    } catch (MqttException e) {
      // Not connected (or already closing): nothing to disconnect.
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      // Closing a client that never connected can fail; there is nothing left to release.
    }
  }

  /**
   * A logged-in client's id carries a tag only its password makes ({@link ClientIds}), so no other
   * principal can connect under it and take over its session.
   */
  static String wireClientId(MqttSettings settings) {
    return settings.username() == null
        ? settings.clientId()
        : ClientIds.tagged(
            settings.clientId(), new BrokerLogin(settings.username(), settings.password()));
  }

  private static String describe(MqttException e) {
    // MQTT 5 CONNACK reason codes for a refused login: say so in words, never echo the password.
    if (e.getReasonCode() == 0x86 || e.getReasonCode() == 0x87 || e.getReasonCode() == 0x85) {
      return "refused: "
          + (e.getReasonCode() == 0x86
              ? "bad username or password"
              : e.getReasonCode() == 0x85 ? "client id not valid" : "not authorized")
          + " (reason code 0x"
          + Integer.toHexString(e.getReasonCode())
          + ")";
    }
    Throwable cause = e.getCause();
    String reason = e.getMessage() == null ? "reason code " + e.getReasonCode() : e.getMessage();
    return cause == null || cause.getMessage() == null
        ? reason
        : reason + " (" + cause.getMessage() + ")";
  }

  private record Subscription(String filter, int qos, DeliveryHandler handler) {
    /** Topic-filter matching; a shared subscription ($share/group/filter) matches on its filter. */
    boolean matches(String topic) {
      String plain =
          filter.startsWith("$share/") ? filter.substring(filter.indexOf('/', 7) + 1) : filter;
      return MqttTopicValidator.isMatched(plain, topic);
    }
  }

  private record Held(String topic, byte[] payload, int packetId, int qos, boolean retained) {}

  private record MqttMessageAt(String topic, MqttMessage message) {}

  /**
   * The callback while connect() is still building the connection: messages that come with the
   * CONNACK are kept and handed to the connection once it exists. It never blocks Paho's callback
   * thread, which also completes tokens.
   */
  private static final class EarlyCallback implements MqttCallback {
    private final List<MqttMessageAt> early = new ArrayList<>();
    private PahoConnection connection;

    synchronized void handOver(PahoConnection created) {
      connection = created;
      early.forEach(held -> created.deliver(held.topic, held.message));
      early.clear();
    }

    @Override
    public synchronized void messageArrived(String topic, MqttMessage message) {
      if (connection == null) {
        early.add(new MqttMessageAt(topic, message));
      } else {
        connection.deliver(topic, message);
      }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {}

    @Override
    public void mqttErrorOccurred(MqttException exception) {}

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }

  /** Connection events: counts reconnects and renews subscriptions a clean session lost. */
  private final class Events implements MqttCallback {
    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      if (!reconnect || closing) {
        return;
      }
      reconnects.incrementAndGet();
      LOG.info("{} reconnected to {}", settings.clientId(), serverUri);
      // Renew every subscription: a clean session lost them, and a persistent one may have expired
      // during the
      // outage; subscribing again is harmless when the broker still has them. Paho's callback
      // thread must not block
      // on a SUBACK, so this runs on its own thread, each filter on its own so one failure does not
      // stop the rest.
      Thread renew =
          new Thread(
              () ->
                  subscriptions.forEach(
                      s -> {
                        try {
                          subscribeOnBroker(s);
                          LOG.info(
                              "{} renewed its subscription to {}", settings.clientId(), s.filter);
                        } catch (RuntimeException e) {
                          LOG.error(
                              "{}: could not renew subscription {} after reconnecting: {}",
                              settings.clientId(),
                              s.filter,
                              e.getMessage());
                        }
                      }),
              "mqtt-resubscribe-" + settings.clientId());
      renew.setDaemon(true);
      renew.start();
      for (Runnable listener : reconnectListeners) {
        // Off Paho's callback thread: a listener may publish, and publish blocks on flow control.
        Thread told =
            new Thread(
                () -> {
                  try {
                    listener.run();
                  } catch (RuntimeException e) {
                    LOG.warn(
                        "{}: a reconnect listener failed: {}", settings.clientId(), e.toString());
                  }
                },
                "mqtt-reconnected-" + settings.clientId());
        told.setDaemon(true);
        told.start();
      }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      LOG.warn(
          "{} disconnected from {}: {}",
          settings.clientId(),
          settings.url(),
          response.getReasonString());
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      LOG.warn("{}: MQTT error: {}", settings.clientId(), exception.getMessage());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      deliver(topic, message);
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
      // Publishers are told through their PublishCallback.
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
      // No enhanced authentication is configured.
    }
  }
}
