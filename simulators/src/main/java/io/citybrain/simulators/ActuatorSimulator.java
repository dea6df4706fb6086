package io.citybrain.simulators;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.access.FleetCredentials;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.sign.CommandSignature;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import io.citybrain.seeds.StableHash;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Simulated barriers, signs, loudspeakers, pumps and signals, the reference device side of
 * proto/README.md: each command is verified before anything else ({@link CommandCheck}: signature,
 * retained, addressing, expiry) and refused REJECTED with the reason; a command id already executed
 * is not executed again but answered with its first outcome, across restarts too ({@link
 * ExecutedJournal}); a valid new one is answered ACCEPTED, then DONE or FAILED after a latency.
 * Every ack names the attempt and the digest of the command it answers; the sink signs it. All work
 * runs on one thread, off the MQTT callback thread.
 */
final class ActuatorSimulator implements AutoCloseable {
  private final AckSink sink;
  private final Map<String, SimDevice> actuators;
  private final ActuatorSettings settings;
  private final CommandCheck check;
  private final ExecutedJournal journal;
  private final SplittableRandom random;
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sim-actuators");
            t.setDaemon(true);
            return t;
          });

  /** Commands executing now, by command id. */
  private final Map<String, Running> running = new HashMap<>();

  /** Executions per device: a command id runs at most once, the tests count that it does. */
  private final Map<String, Long> executions = new HashMap<>();

  private final Map<AckStatus, Long> acks = new EnumMap<>(AckStatus.class);
  private long malformed;

  private record Running(Command command, ByteString digest, ScheduledFuture<?> future) {}

  /**
   * Where an acknowledgement goes; the sink gives it the device's next seq and signs it with the
   * device's ack key when it is published.
   */
  @FunctionalInterface
  interface AckSink {
    void send(SimDevice device, CommandAck.Builder ack);
  }

  /**
   * Acknowledgements go to {@code sink}; commands come from the connections {@link #start} gets.
   *
   * @param stateFolder where the executed-commands journal lives (locked for this process)
   */
  ActuatorSimulator(
      AckSink sink,
      Map<String, SimDevice> actuators,
      ActuatorSettings settings,
      Path stateFolder,
      long seed) {
    FleetCredentials fleet = settings.requireFleet();
    this.sink = sink;
    this.actuators = actuators;
    this.settings = settings;
    this.check =
        new CommandCheck(
            new CommandSignature(fleet.commandKey(), fleet.commandKeyId()), settings.maxLifetime());
    this.journal = ExecutedJournal.open(stateFolder, System.currentTimeMillis());
    this.random = new SplittableRandom(StableHash.derive(seed, "actuators"));
  }

  /**
   * Subscribes to each command filter on the connection allowed to read it (a district gateway's
   * reads its district's commands, a device's only its own).
   */
  void start(Map<String, MqttConnection> subscriptions) {
    subscriptions.forEach((filter, connection) -> connection.subscribe(filter, 1, this::arrived));
  }

  private void arrived(String topic, byte[] payload, boolean retained) {
    if (!worker.isShutdown()) {
      worker.execute(() -> handle(topic, payload, retained));
    }
  }

  private void handle(String topic, byte[] payload, boolean retained) {
    Command command;
    try {
      command = Command.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      malformed++;
      return;
    }
    // The device is the one whose command topic this is; another simulator's device is not ours.
    SimDevice device =
        Topics.parse(topic)
            .filter(a -> a.messageClass() == MessageClass.COMMAND)
            .map(a -> actuators.get(a.sourceId()))
            .filter(d -> topic.equals(Topics.command(d.device.district(), d.device.id())))
            .orElse(null);
    if (device == null) {
      return;
    }
    ByteString digest = ByteString.copyFrom(CommandSignature.digest(command));
    Optional<String> refusal = check.refusal(topic, retained, command, System.currentTimeMillis());
    if (refusal.isPresent()) {
      ack(device, command, digest, AckStatus.ACK_STATUS_REJECTED, refusal.get());
      return;
    }
    String id = device.device.id();
    ExecutedJournal.Entry executed = journal.find(id, command.getCommandId());
    if (executed != null) {
      // A repeat (a retry, a redelivery, a replay) is answered, never run again.
      if (executed.status() != null) {
        ack(device, command, digest, executed.status(), executed.detail());
      } else if (running.containsKey(command.getCommandId())) {
        ack(device, command, digest, AckStatus.ACK_STATUS_ACCEPTED, "already running");
      } else {
        ack(
            device,
            command,
            digest,
            AckStatus.ACK_STATUS_FAILED,
            "outcome unknown: the actuator restarted while running it");
      }
      return;
    }
    if (!command.getCancelsCommandId().isEmpty()) {
      cancel(device, command, digest);
      return;
    }
    if (!device.kind.commands().contains(command.getAction())) {
      ack(
          device,
          command,
          digest,
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
    // On disk before ACCEPTED: after a crash, this id is still known as executed. Kept for the
    // longest lifetime accepted, not the attempt's own expiry: a retry of the id comes with a later
    // expiry, and must find it after a restart.
    long now = System.currentTimeMillis();
    journal.accepted(
        id,
        command.getCommandId(),
        Math.max(command.getExpiresAtMs(), now + settings.maxLifetime().toMillis()));
    executions.merge(id, 1L, Long::sum);
    ack(device, command, digest, AckStatus.ACK_STATUS_ACCEPTED, "");
    long latencyMs = settings.latency().toMillis();
    long delay = latencyMs == 0 ? 0 : Math.round(latencyMs * (0.5 + random.nextDouble()));
    boolean fails = random.nextDouble() < settings.failureRate();
    running.put(
        command.getCommandId(),
        new Running(
            command,
            digest,
            worker.schedule(
                () -> {
                  running.remove(command.getCommandId());
                  finish(
                      device,
                      command,
                      digest,
                      fails ? AckStatus.ACK_STATUS_FAILED : AckStatus.ACK_STATUS_DONE,
                      fails
                          ? "simulated failure of " + command.getAction()
                          : command.getAction() + " done");
                },
                delay,
                TimeUnit.MILLISECONDS)));
  }

  /** A command's outcome: on disk first, then answered. */
  private void finish(
      SimDevice device, Command command, ByteString digest, AckStatus status, String detail) {
    journal.outcome(device.device.id(), command.getCommandId(), status, detail);
    ack(device, command, digest, status, detail);
  }

  /**
   * A cancel answers what the device did with the command it names (proto/README.md, "Cancel"):
   * DONE when it stopped it, or kept it from ever running (an id it has not seen is journalled as
   * cancelled, so it is refused if it arrives later); REJECTED {@code already
   * <done|failed|rejected>: <detail>} when it had finished before the cancel came. A stopped
   * command is not answered on its own: the cancel's answer is its outcome (a repeat of it is
   * answered REJECTED cancelled).
   */
  private void cancel(SimDevice device, Command command, ByteString digest) {
    String id = device.device.id();
    String target = command.getCancelsCommandId();
    long keepUntil =
        Math.max(
            command.getExpiresAtMs(),
            System.currentTimeMillis() + settings.maxLifetime().toMillis());
    ExecutedJournal.Entry executed = journal.find(id, target);
    Running running = this.running.get(target);
    journal.accepted(id, command.getCommandId(), keepUntil);
    if (running != null
        && running.command().getDeviceId().equals(id)
        && running.future().cancel(false)) {
      this.running.remove(target);
      journal.outcome(
          id, target, AckStatus.ACK_STATUS_REJECTED, "cancelled by " + command.getCommandId());
      finish(device, command, digest, AckStatus.ACK_STATUS_DONE, "stopped " + target);
      return;
    }
    if (executed == null) {
      journal.accepted(id, target, keepUntil);
      journal.outcome(
          id,
          target,
          AckStatus.ACK_STATUS_REJECTED,
          "cancelled before it arrived by " + command.getCommandId());
      finish(
          device,
          command,
          digest,
          AckStatus.ACK_STATUS_DONE,
          "cancelled " + target + " before it arrived");
      return;
    }
    String did =
        executed.status() == null
            ? "failed: outcome unknown: the actuator restarted while running it"
            : executed.status().name().replace("ACK_STATUS_", "").toLowerCase(java.util.Locale.ROOT)
                + ": "
                + executed.detail();
    finish(device, command, digest, AckStatus.ACK_STATUS_REJECTED, "already " + did);
  }

  private void ack(
      SimDevice device, Command command, ByteString digest, AckStatus status, String detail) {
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
            .setPlanRunId(command.getPlanRunId())
            .setAttempt(command.getAttempt())
            .setCommandDigest(digest));
  }

  /** How many commands this device has executed (each id at most once). */
  long executions(String deviceId) {
    return onWorker(() -> executions.getOrDefault(deviceId, 0L), -1L);
  }

  /** Acks sent so far by status (ACCEPTED, DONE, ...), plus malformed commands received. */
  Map<String, Long> counts() {
    return onWorker(
        () -> {
          Map<String, Long> copy = new LinkedHashMap<>();
          acks.forEach(
              (status, n) -> copy.put(status.name().replace("ACK_STATUS_", "").toLowerCase(), n));
          long executed = executions.values().stream().mapToLong(Long::longValue).sum();
          if (executed > 0) {
            copy.put("executed", executed);
          }
          if (malformed > 0) {
            copy.put("malformed_commands", malformed);
          }
          return copy;
        },
        Map.of());
  }

  private <T> T onWorker(java.util.concurrent.Callable<T> read, T otherwise) {
    try {
      return worker.submit(read).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return otherwise;
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    journal.close();
  }
}
