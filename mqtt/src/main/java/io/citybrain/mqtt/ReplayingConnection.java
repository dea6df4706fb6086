package io.citybrain.mqtt;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A publishing connection that keeps what it sent in a {@link ReplayWindow} and, after every
 * automatic reconnect, sends that window again: same topics, same payloads, so a reading keeps its
 * (device, seq) and the stream job's dedup drops the copies that had arrived (counted as
 * duplicates). Only QoS 1 publishes on topics {@code kept} accepts are kept (readings, not command
 * acks, which the API must see once); everything else passes straight through.
 *
 * <p>Why: a broker that acknowledged a publish has not necessarily written it (Mosquitto 2.0
 * snapshots its state every {@code autosave_interval}), so after a crash the publisher is the only
 * one left holding what the broker lost. It cannot tell what was lost, so it sends the whole
 * window.
 */
public final class ReplayingConnection implements MqttConnection {
  private static final Logger LOG = LoggerFactory.getLogger(ReplayingConnection.class);

  /** Told once per replayed message, on the client's callback thread. */
  @FunctionalInterface
  public interface ReplayListener {
    void replayed(ReplayWindow.Entry entry, Throwable error);

    ReplayListener IGNORE = (entry, error) -> {};
  }

  private final MqttConnection delegate;
  private final ReplayWindow window;
  private final Predicate<String> kept;
  private final ReplayListener listener;
  private final AtomicLong generation = new AtomicLong();
  private final AtomicLong replays = new AtomicLong();
  private final AtomicLong replayed = new AtomicLong();
  private final AtomicLong replayAcked = new AtomicLong();
  private final AtomicLong replayFailed = new AtomicLong();
  private volatile boolean closed;

  public ReplayingConnection(
      MqttConnection delegate,
      ReplayWindow window,
      Predicate<String> kept,
      ReplayListener listener) {
    this.delegate = delegate;
    this.window = window;
    this.kept = kept;
    this.listener = listener;
    delegate.onReconnect(this::replay);
  }

  /** Keeps every QoS 1 publish. */
  public ReplayingConnection(MqttConnection delegate, ReplayWindow window) {
    this(delegate, window, topic -> true, ReplayListener.IGNORE);
  }

  @Override
  public void publish(String topic, byte[] payload, int qos, boolean retained, PublishCallback done)
      throws InterruptedException {
    if (qos >= 1 && !retained && kept.test(topic)) {
      // Kept before it is sent: a publish that fails because the broker just died is in the
      // window too, and goes out again with it.
      window.add(topic, payload, qos, -1);
    }
    delegate.publish(topic, payload, qos, retained, done);
  }

  @Override
  public void publish(
      String topic, byte[] payload, int qos, long expirySeconds, PublishCallback done)
      throws InterruptedException {
    if (qos >= 1 && kept.test(topic)) {
      window.add(topic, payload, qos, expirySeconds);
    }
    delegate.publish(topic, payload, qos, expirySeconds, done);
  }

  /**
   * Sends again what the window held when the connection came back; a newer reconnect stops this
   * round (its own round sends the window again).
   */
  void replay() {
    long reconnectedAt = System.nanoTime();
    long round = generation.incrementAndGet();
    // Renewed: the broker may lose these copies too if it crashes again before it saves them.
    List<ReplayWindow.Entry> entries = window.renewUpTo(reconnectedAt);
    replays.incrementAndGet();
    LOG.info(
        "{} reconnected: sending again the {} message(s) of the last {}",
        delegate.clientId(),
        entries.size(),
        window.age());
    int sent = 0;
    try {
      for (ReplayWindow.Entry e : entries) {
        if (closed || generation.get() != round || !delegate.isConnected()) {
          // Lost again (or newer round): the rest would only fail one by one; the reconnect that
          // follows renews and sends the whole window.
          LOG.info(
              "{} replay {} stopped after {} of {}: the connection dropped again",
              delegate.clientId(),
              round,
              sent,
              entries.size());
          return;
        }
        sent++;
        replayed.incrementAndGet();
        PublishCallback done =
            error -> {
              (error == null ? replayAcked : replayFailed).incrementAndGet();
              listener.replayed(e, error);
            };
        if (e.expirySeconds() >= 0) {
          delegate.publish(e.topic(), e.payload(), e.qos(), e.expirySeconds(), done);
        } else {
          delegate.publish(e.topic(), e.payload(), e.qos(), false, done);
        }
      }
      LOG.info(
          "{} replay {} sent all {} in {} ms",
          delegate.clientId(),
          round,
          sent,
          (System.nanoTime() - reconnectedAt) / 1_000_000);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  public ReplayWindow window() {
    return window;
  }

  /** Reconnects that started a replay. */
  public long replays() {
    return replays.get();
  }

  /** Messages sent again, over all replays. */
  public long replayed() {
    return replayed.get();
  }

  /** Replayed messages the broker acknowledged. */
  public long replayAcked() {
    return replayAcked.get();
  }

  /** Replayed messages that failed (the connection dropped again; the next replay has them). */
  public long replayFailed() {
    return replayFailed.get();
  }

  @Override
  public void subscribe(String filter, int qos, MessageHandler handler) {
    delegate.subscribe(filter, qos, handler);
  }

  @Override
  public void subscribe(String filter, int qos, DeliveryHandler handler) {
    delegate.subscribe(filter, qos, handler);
  }

  @Override
  public void subscribe(String filter, int qos, RetainAwareHandler handler) {
    delegate.subscribe(filter, qos, handler);
  }

  @Override
  public void unsubscribe(String filter) {
    delegate.unsubscribe(filter);
  }

  @Override
  public void onUnmatched(DeliveryHandler handler) {
    delegate.onUnmatched(handler);
  }

  @Override
  public void acknowledge(int packetId, int qos) {
    delegate.acknowledge(packetId, qos);
  }

  @Override
  public int inflightLimit() {
    return delegate.inflightLimit();
  }

  @Override
  public long reconnects() {
    return delegate.reconnects();
  }

  @Override
  public void onReconnect(Runnable listener) {
    delegate.onReconnect(listener);
  }

  @Override
  public boolean isConnected() {
    return delegate.isConnected();
  }

  @Override
  public String clientId() {
    return delegate.clientId();
  }

  @Override
  public void close() {
    closed = true;
    delegate.close();
  }
}
