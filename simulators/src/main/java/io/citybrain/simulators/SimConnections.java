package io.citybrain.simulators;

import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.mqtt.ReplayWindow;
import io.citybrain.mqtt.ReplayingConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A run's open connections, as its {@link ConnectionPlan} says: opened {@link #PARALLEL_CONNECTS}
 * at a time (20,000 devices one after the other would take minutes), all closed when one is
 * refused. With a replay window, telemetry goes through a {@link ReplayingConnection} over each:
 * Mosquitto 2.0 acknowledges a QoS 1 publish before its periodic snapshot saves it, so after a
 * broker crash only the publisher still has what the broker acknowledged and lost; the last window
 * of telemetry goes out again after every reconnect (the job's dedup drops what had arrived).
 * Command acks never do: they are on the plain connection.
 */
final class SimConnections implements AutoCloseable {
  /** Connects in flight at once: enough to hide round trips, few enough for a broker's backlog. */
  static final int PARALLEL_CONNECTS = 32;

  private final ConnectionPlan plan;
  private final List<MqttConnection> open;

  /** The connection each message goes out on: the replaying one, or the plain one without. */
  private final List<MqttConnection> telemetry;

  private SimConnections(ConnectionPlan plan, List<MqttConnection> open, Duration replayWindow) {
    this.plan = plan;
    this.open = open;
    this.telemetry = new ArrayList<>(open.size());
    for (MqttConnection c : open) {
      telemetry.add(
          replayWindow.isZero() ? c : new ReplayingConnection(c, ReplayWindow.ofAge(replayWindow)));
    }
  }

  /** Opens every planned connection, without a replay window. */
  static SimConnections open(ConnectionPlan plan) throws InterruptedException {
    return open(plan, Duration.ZERO);
  }

  /**
   * Opens every planned connection; a refused login fails the whole run with the broker's words.
   */
  static SimConnections open(ConnectionPlan plan, Duration replayWindow)
      throws InterruptedException {
    List<ConnectionPlan.Planned> planned = plan.connections();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(PARALLEL_CONNECTS, planned.size())),
            r -> {
              Thread t = new Thread(r, "sim-connect");
              t.setDaemon(true);
              return t;
            });
    List<Future<MqttConnection>> futures = new ArrayList<>();
    try {
      for (ConnectionPlan.Planned p : planned) {
        futures.add(pool.submit(() -> PahoConnection.connect(p.settings())));
      }
      List<MqttConnection> open = new ArrayList<>(planned.size());
      RuntimeException failure = null;
      for (Future<MqttConnection> f : futures) {
        try {
          open.add(f.get());
        } catch (ExecutionException e) {
          if (failure == null) {
            failure =
                e.getCause() instanceof RuntimeException r
                    ? r
                    : new IllegalStateException(e.getCause().getMessage(), e.getCause());
          }
        }
      }
      if (failure != null) {
        open.forEach(MqttConnection::close);
        throw failure;
      }
      return new SimConnections(plan, open, replayWindow);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The connection that carries this message (through the replay window, if there is one). */
  MqttConnection of(Outgoing message) {
    return telemetry.get(plan.of(message));
  }

  /** The connection of this device's telemetry and acks. */
  MqttConnection of(SimDevice device) {
    return open.get(plan.of(device));
  }

  /** Each command filter the actuators read, with the connection allowed to read it. */
  Map<String, MqttConnection> commandSubscriptions() {
    Map<String, MqttConnection> subscriptions = new LinkedHashMap<>();
    plan.commandFilters().forEach((filter, index) -> subscriptions.put(filter, open.get(index)));
    return subscriptions;
  }

  int size() {
    return open.size();
  }

  long reconnects() {
    return open.stream().mapToLong(MqttConnection::reconnects).sum();
  }

  /** Telemetry messages sent again after reconnects, over every connection. */
  long replayed() {
    return telemetry.stream()
        .mapToLong(c -> c instanceof ReplayingConnection r ? r.replayed() : 0)
        .sum();
  }

  @Override
  public void close() {
    open.forEach(MqttConnection::close);
    open.clear();
    telemetry.clear();
  }
}
