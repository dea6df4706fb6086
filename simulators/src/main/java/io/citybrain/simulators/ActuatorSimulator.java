package io.citybrain.simulators;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import io.citybrain.seeds.StableHash;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Simulated barriers, signs, loudspeakers, pumps and signals: they take commands from their command
 * topics and answer ACCEPTED, then DONE or FAILED after a latency; they answer REJECTED to expired
 * commands, to command ids they have already had, and to actions their kind does not have. All work
 * runs on one thread, off the MQTT callback thread.
 */
final class ActuatorSimulator implements AutoCloseable {
  private final AckSink sink;
  private final Map<String, SimDevice> actuators;
  private final ActuatorSettings settings;
  private final SplittableRandom random;
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sim-actuators");
            t.setDaemon(true);
            return t;
          });

  /** Command ids each device has received; a repeat is refused (no command runs twice). */
  private final Map<String, Set<String>> received = new HashMap<>();

  private final Map<String, ScheduledFuture<?>> running = new HashMap<>();
  private final Map<AckStatus, Long> acks = new EnumMap<>(AckStatus.class);
  private long malformed;

  /**
   * Where an acknowledgement goes; the sink gives it the device's next seq when it is published.
   */
  @FunctionalInterface
  interface AckSink {
    void send(SimDevice device, CommandAck.Builder ack);
  }

  /**
   * Acknowledgements go to {@code sink}; commands come from the connections {@link #start} gets.
   */
  ActuatorSimulator(
      AckSink sink, Map<String, SimDevice> actuators, ActuatorSettings settings, long seed) {
    this.sink = sink;
    this.actuators = actuators;
    this.settings = settings;
    this.random = new SplittableRandom(StableHash.derive(seed, "actuators"));
  }

  /**
   * Subscribes to each command filter on the connection allowed to read it (a district gateway's
   * reads its district's commands, a device's only its own).
   */
  void start(Map<String, MqttConnection> subscriptions) {
    subscriptions.forEach((filter, connection) -> connection.subscribe(filter, 1, this::arrived));
  }

  private void arrived(String topic, byte[] payload) {
    if (!worker.isShutdown()) {
      worker.execute(() -> handle(topic, payload));
    }
  }

  private void handle(String topic, byte[] payload) {
    Command command;
    try {
      command = Command.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      malformed++;
      return;
    }
    SimDevice device = actuators.get(command.getDeviceId());
    if (device == null || !topic.endsWith("/" + command.getDeviceId())) {
      return; // another simulator's device, or a command whose topic and payload disagree: not ours
      // to answer
    }
    Set<String> seen = received.computeIfAbsent(device.device.id(), id -> new HashSet<>());
    if (!seen.add(command.getCommandId())) {
      ack(
          device,
          command,
          AckStatus.ACK_STATUS_REJECTED,
          "duplicate command id " + command.getCommandId());
      return;
    }
    if (command.getExpiresAtMs() > 0 && System.currentTimeMillis() > command.getExpiresAtMs()) {
      ack(device, command, AckStatus.ACK_STATUS_REJECTED, "expired at " + command.getExpiresAtMs());
      return;
    }
    if (!command.getCancelsCommandId().isEmpty()) {
      cancel(device, command);
      return;
    }
    if (!device.kind.commands().contains(command.getAction())) {
      ack(
          device,
          command,
          AckStatus.ACK_STATUS_REJECTED,
          "unknown action '"
              + command.getAction()
              + "' for "
              + device.kind.id()
              + " (accepts: "
              + String.join(", ", device.kind.commands())
              + ")");
      return;
    }
    ack(device, command, AckStatus.ACK_STATUS_ACCEPTED, "");
    long latencyMs = settings.latency().toMillis();
    long delay = latencyMs == 0 ? 0 : Math.round(latencyMs * (0.5 + random.nextDouble()));
    boolean fails = random.nextDouble() < settings.failureRate();
    running.put(
        command.getCommandId(),
        worker.schedule(
            () -> {
              running.remove(command.getCommandId());
              ack(
                  device,
                  command,
                  fails ? AckStatus.ACK_STATUS_FAILED : AckStatus.ACK_STATUS_DONE,
                  fails
                      ? "simulated failure of " + command.getAction()
                      : command.getAction() + " done");
            },
            delay,
            TimeUnit.MILLISECONDS));
  }

  private void cancel(SimDevice device, Command command) {
    ScheduledFuture<?> target = running.remove(command.getCancelsCommandId());
    if (target == null || !target.cancel(false)) {
      ack(
          device,
          command,
          AckStatus.ACK_STATUS_REJECTED,
          "nothing to cancel: " + command.getCancelsCommandId() + " is not running");
      return;
    }
    Command cancelled =
        Command.newBuilder()
            .setCommandId(command.getCancelsCommandId())
            .setDeviceId(device.device.id())
            .setPlanRunId(command.getPlanRunId())
            .build();
    ack(device, cancelled, AckStatus.ACK_STATUS_FAILED, "cancelled by " + command.getCommandId());
    ack(device, command, AckStatus.ACK_STATUS_DONE, "cancelled " + command.getCancelsCommandId());
  }

  private void ack(SimDevice device, Command command, AckStatus status, String detail) {
    acks.merge(status, 1L, Long::sum);
    sink.send(
        device,
        CommandAck.newBuilder()
            .setCommandId(command.getCommandId())
            .setDeviceId(device.device.id())
            .setDistrict(device.device.district())
            .setStatus(status)
            .setDetail(detail)
            .setAtMs(System.currentTimeMillis())
            .setPlanRunId(command.getPlanRunId()));
  }

  /** Acks sent so far by status (ACCEPTED, DONE, ...), plus malformed commands received. */
  Map<String, Long> counts() {
    try {
      return worker
          .submit(
              () -> {
                Map<String, Long> copy = new LinkedHashMap<>();
                acks.forEach(
                    (status, n) ->
                        copy.put(status.name().replace("ACK_STATUS_", "").toLowerCase(), n));
                if (malformed > 0) {
                  copy.put("malformed_commands", malformed);
                }
                return copy;
              })
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return Map.of();
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
