package io.citybrain.simulators;

import io.citybrain.mqtt.MqttConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.sign.AckSignature;
import io.citybrain.proto.v1.CommandAck;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * One simulator run: connects, publishes the generator's stream paced to its schedule, answers
 * commands with the actuators, and reports. Every connection logs in as a gateway or a device
 * ({@link ConnectionPlan}); messages of one device always go through the same connection, so each
 * device's messages reach the broker in seq order.
 */
public final class SimRun implements AutoCloseable {
  private static final long DRAIN_TIMEOUT_MS = 30_000;
  private final SimConfig config;
  private final SimFleet fleet;
  private final PrintStream progress;
  private SimConnections connections;
  private final Map<MessageClass, LongAdder> published = new EnumMap<>(MessageClass.class);
  private final LongAdder errors = new LongAdder();
  private final AtomicLong outstanding = new AtomicLong();
  private final LatencyStats latency = new LatencyStats();

  /**
   * Acknowledgements waiting for the publishing thread, which numbers them in order with the
   * device's telemetry.
   */
  private final ConcurrentLinkedQueue<PendingAck> pendingAcks = new ConcurrentLinkedQueue<>();

  private volatile boolean telemetryRunning;
  private volatile boolean stopRequested;
  private volatile boolean actuatorsReady;
  private ActuatorSimulator actuators;
  private TelemetryGenerator generator;

  /**
   * @param progress where the live progress line goes, or null for none
   */
  public SimRun(SimConfig config, PrintStream progress) {
    this.config = config;
    this.fleet = new SimFleet(config);
    this.progress = progress;
    for (MessageClass c : MessageClass.values()) {
      published.put(c, new LongAdder());
    }
  }

  /**
   * Asks a running {@link #run} to finish: it publishes what it holds back, waits for acks and
   * reports.
   */
  public void stop() {
    stopRequested = true;
  }

  /**
   * Runs until the duration, the message count or {@link #stop}; fails fast when the broker cannot
   * be reached.
   */
  public SimReport run() throws InterruptedException {
    connections =
        SimConnections.open(
            new ConnectionPlan(config, fleet),
            config.qos() == 1 ? config.replayWindow() : java.time.Duration.ZERO);
    telemetryRunning = config.telemetry() && !fleet.devices().isEmpty();
    if (config.actuators().enabled() && !fleet.actuators().isEmpty()) {
      actuators =
          new ActuatorSimulator(
              this::acknowledge,
              fleet.actuators(),
              config.actuators(),
              config.actuators().stateFolder(config.shard()),
              config.seed());
      actuators.start(connections.commandSubscriptions());
      actuatorsReady = true;
    }
    long startNanos = System.nanoTime();
    Thread printer = startProgress(startNanos);
    try {
      if (telemetryRunning) {
        publish(startNanos);
        telemetryRunning = false;
        publishAcks();
      } else {
        waitUntilStopped(startNanos);
      }
      awaitOutstanding();
    } finally {
      if (printer != null) {
        printer.interrupt();
        printer.join(2_000);
      }
    }
    return report((System.nanoTime() - startNanos) / 1e9);
  }

  private void publish(long startNanos) throws InterruptedException {
    boolean unthrottled = config.rate().mode() == Rate.Mode.MAX;
    long startEpochMs =
        config.startEpochMs() != null ? config.startEpochMs() : System.currentTimeMillis();
    generator = generator(config, fleet, () -> startEpochMs);
    long endMicros =
        config.duration() == null ? Long.MAX_VALUE : config.duration().toNanos() / 1000;
    long endNanos =
        config.duration() == null ? Long.MAX_VALUE : startNanos + config.duration().toNanos();
    long count = 0;
    long lastAt = 0;
    boolean endedBySchedule = false;
    while (!stopRequested && (config.maxMessages() == 0 || count < config.maxMessages())) {
      if (unthrottled) {
        // An unthrottled run's schedule says nothing of time: the clock ends it.
        if ((count & 1023) == 0 && System.nanoTime() >= endNanos) {
          break;
        }
      } else {
        long due = generator.peekMicros();
        if (due >= endMicros) {
          endedBySchedule = true;
          break;
        }
        // Wait first, take the message after: its seq is then never older than an ack sent while
        // waiting.
        pace(startNanos + (long) (due * 1000 / config.speed()));
      }
      Outgoing next = generator.next();
      if (next == null) {
        break;
      }
      if (!unthrottled && next.atMicros() >= endMicros) {
        generator.pushBack(next);
        endedBySchedule = true;
        break;
      }
      publishAcks();
      send(next);
      lastAt = next.atMicros();
      count++;
    }
    // Held-back messages go out stamped at the schedule's end (or the last message's time): the
    // same every run.
    long drainAt =
        unthrottled
            ? (System.nanoTime() - startNanos) / 1000
            : endedBySchedule ? endMicros : lastAt;
    for (Outgoing rest : generator.drain(drainAt)) {
      send(rest);
    }
  }

  /** An acknowledgement from the actuators, numbered and published on its device's connection. */
  private void acknowledge(SimDevice device, CommandAck.Builder ack) {
    if (telemetryRunning) {
      pendingAcks.add(new PendingAck(device, ack));
    } else {
      publishAck(device, ack);
    }
  }

  private void publishAcks() {
    PendingAck pending;
    while ((pending = pendingAcks.poll()) != null) {
      publishAck(pending.device, pending.ack);
    }
  }

  private void publishAck(SimDevice device, CommandAck.Builder ack) {
    // Signed last, once numbered: the seq is part of what the device's ack key signs.
    byte[] payload =
        AckSignature.sign(
                ack.setSeq(device.seq.incrementAndGet()),
                config.actuators().requireFleet().ackKey(device.device.id()))
            .toByteArray();
    try {
      connections
          .of(device)
          .publish(
              Topics.ack(device.device.district(), device.device.id()),
              payload,
              1,
              false,
              MqttConnection.PublishCallback.IGNORE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record PendingAck(SimDevice device, CommandAck.Builder ack) {}

  /**
   * The generator a run uses: its speed makes the schedule of every shard's devices add up to the
   * configured rate, so n shards together publish --rate, each its share.
   */
  static TelemetryGenerator generator(
      SimConfig config, SimFleet fleet, LongSupplier eventTimeOrigin) {
    double speed =
        config.rate().mode() == Rate.Mode.FIXED
            ? config.rate().perSecond() / fleet.allShardsRealtimeRate()
            : 1.0;
    ScenarioPlayer scenario = new ScenarioPlayer(config.scenario(), config.seed());
    return new TelemetryGenerator(
        fleet.devices(),
        speed,
        config.seed(),
        new MessageFactory(
            new SignalModel(config.seed()),
            scenario,
            config.seeds().metricsById(),
            config.startHour(),
            BootId.OF_THIS_PROCESS),
        scenario,
        config.faults(),
        config.gatewayBatch(),
        eventTimeOrigin,
        config.rate().mode() == Rate.Mode.MAX);
  }

  /**
   * Waits until the message's scheduled time, in slices of at most 20 ms so a stop or an
   * acknowledgement is never held up by a slow schedule; never sleeps less than 0.2 ms, which would
   * only spin.
   */
  private void pace(long dueNanos) {
    long wait;
    while ((wait = dueNanos - System.nanoTime()) > 200_000 && !stopRequested) {
      publishAcks();
      LockSupport.parkNanos(Math.min(wait, 20_000_000L));
    }
  }

  private void send(Outgoing message) throws InterruptedException {
    MqttConnection connection = connections.of(message);
    long sentAt = System.nanoTime();
    outstanding.incrementAndGet();
    connection.publish(
        message.topic(),
        message.payload(),
        config.qos(),
        false,
        error -> {
          if (error == null) {
            latency.record((System.nanoTime() - sentAt) / 1000);
            published.get(message.messageClass()).increment();
          } else {
            errors.increment();
          }
          outstanding.decrementAndGet();
        });
  }

  private void waitUntilStopped(long startNanos) throws InterruptedException {
    long endNanos =
        config.duration() == null ? Long.MAX_VALUE : startNanos + config.duration().toNanos();
    while (!stopRequested && System.nanoTime() < endNanos) {
      Thread.sleep(50);
    }
  }

  private void awaitOutstanding() throws InterruptedException {
    long deadline = System.currentTimeMillis() + DRAIN_TIMEOUT_MS;
    while (outstanding.get() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
  }

  private long publishedTotal() {
    return published.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private Thread startProgress(long startNanos) {
    if (progress == null) {
      return null;
    }
    boolean terminal = System.console() != null;
    Thread thread =
        new Thread(
            () -> {
              long lastCount = 0;
              long lastNanos = startNanos;
              long lines = 0;
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.sleep(1_000);
                  long now = System.nanoTime();
                  long count = publishedTotal();
                  Histogram interval = latency.sample();
                  double rate = (count - lastCount) / ((now - lastNanos) / 1e9);
                  lastCount = count;
                  lastNanos = now;
                  // On a terminal the line redraws every second; in a log, one line every 10 s.
                  if (terminal || ++lines % 10 == 0) {
                    progress.printf(
                        Locale.ROOT,
                        "%ssim %6.1fs  sent %,d  rate %,.0f/s  errors %,d  p99 %.2f ms  reconnects %d%s",
                        terminal ? "\r" : "",
                        (now - startNanos) / 1e9,
                        count,
                        rate,
                        errors.sum(),
                        interval.getValueAtPercentile(99) / 1000.0,
                        reconnects(),
                        terminal ? "  " : System.lineSeparator());
                    progress.flush();
                  }
                }
              } catch (InterruptedException e) {
                if (terminal) {
                  progress.println();
                }
              }
            },
            "sim-progress");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private long reconnects() {
    return connections == null ? 0 : connections.reconnects();
  }

  private SimReport report(double seconds) {
    latency.sample();
    Map<String, Long> byClass = new LinkedHashMap<>();
    published.forEach(
        (c, n) -> {
          if (n.sum() > 0) {
            byClass.put(c.segment(), n.sum());
          }
        });
    Map<String, Long> faults = new LinkedHashMap<>();
    if (generator != null) {
      generator.injected().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> faults.put(e.getKey().name().toLowerCase(Locale.ROOT), e.getValue()));
    }
    long total = publishedTotal();
    return new SimReport(
        config.mqtt().url(),
        config.qos(),
        connections == null ? 0 : connections.size(),
        config.shard().toString(),
        fleet.devices().size(),
        config.rate().toString(),
        seconds,
        total,
        byClass,
        total / Math.max(seconds, 1e-9),
        errors.sum(),
        reconnects(),
        connections == null ? 0 : connections.replayed(),
        faults,
        SimReport.Latency.of(latency.total()),
        actuators == null ? Map.of() : actuators.counts());
  }

  @Override
  public void close() {
    // Connections first: no command can then reach an actuator that is shutting down.
    if (connections != null) {
      connections.close();
    }
    if (actuators != null) {
      actuators.close();
    }
  }

  /** True once the actuators have subscribed to their command topics. */
  public boolean actuatorsReady() {
    return actuatorsReady;
  }

  /** How many commands this run's actuator {@code deviceId} has executed. */
  public long executions(String deviceId) {
    return actuators == null ? 0 : actuators.executions(deviceId);
  }

  /** The number of devices this run plays. */
  public int deviceCount() {
    return fleet.devices().size();
  }

  /** Messages per second at realtime pace for this run's devices. */
  public double realtimeRate() {
    return TickSchedule.rate(fleet.devices(), 1.0);
  }
}
