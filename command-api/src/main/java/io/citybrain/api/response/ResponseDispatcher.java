package io.citybrain.api.response;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.api.db.Db;
import io.citybrain.api.live.LiveHub;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a run's commands and tracks every target to a final state: each target goes sent, accepted,
 * then done; a failed attempt or one without a final ack within the timeout is retried with backoff
 * until the attempt limit or the command's expiry, and then ends failed or timed_out; a rejection
 * is final. Every transition is stored (in order, on one ordered worker queue) and pushed to the
 * district's live subscribers with a per-run sequence number.
 *
 * <p>Threading: all state lives on the API's event loop. Paho's callback thread only hands acks
 * over; publishes run on a thread of their own because {@link MqttConnection#publish} blocks while
 * the broker's in-flight window is full.
 *
 * <p>Each attempt has its own wire command id ({@code <command_id>~<attempt>} from the second): a
 * device runs a command id at most once and answers a repeated one REJECTED "duplicate", so a retry
 * under the same id could never run.
 */
public final class ResponseDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseDispatcher.class);
  private final Vertx vertx;
  private final Context context;
  private final MqttConnection mqtt;
  private final Db db;
  private final LiveHub hub;
  private final Duration ackTimeout;
  private final int maxAttempts;
  private final Backoff backoff;
  private final ExecutorService publisher =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "citybrain-api-commands");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Run> runs = new HashMap<>();
  private final Map<String, Target> byWireId = new HashMap<>();
  private long staleAcks;

  public ResponseDispatcher(
      Vertx vertx,
      Context context,
      MqttConnection mqtt,
      Db db,
      LiveHub hub,
      Duration ackTimeout,
      int maxAttempts,
      Backoff backoff) {
    this.vertx = vertx;
    this.context = context;
    this.mqtt = mqtt;
    this.db = db;
    this.hub = hub;
    this.ackTimeout = ackTimeout;
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
  }

  /** Subscribes to every district's ack topics; acks are decoded on the event loop. */
  public void subscribe() {
    mqtt.subscribe(
        Topics.filter(MessageClass.ACK, Topics.ANY),
        1,
        (topic, payload) -> context.runOnContext(v -> onAck(topic, payload)));
  }

  /** Starts sending a stored run; call on the event loop. */
  public void start(RunPlan plan) {
    Run run = new Run(plan);
    runs.put(plan.runId(), run);
    for (RunPlan.Item item : plan.items()) {
      Target target = new Target(run, item, false);
      run.targets.put(item.commandId(), target);
    }
    if (run.targets.isEmpty()) {
      finishIfDone(run);
      return;
    }
    run.targets.values().forEach(t -> send(t, 1));
  }

  /**
   * Cancels a running run: targets not yet final are marked cancelled and their devices get a
   * cancel command. False when the run is not running here (finished, or unknown to this process).
   */
  public boolean cancel(String runId) {
    Run run = runs.get(runId);
    if (run == null || run.finished) {
      return false;
    }
    run.cancelled = true;
    for (Target t : new ArrayList<>(run.targets.values())) {
      if (t.isFinal()) {
        continue;
      }
      String cancelled = t.wireId;
      t.cancelTimer();
      transition(t, "cancelled", "cancelled by coordinator", true);
      if (cancelled != null) {
        RunPlan.Item item =
            new RunPlan.Item(t.item.commandId() + "~cancel", t.item.deviceId(), "cancel", Map.of());
        Target cancel = new Target(run, item, true);
        cancel.cancels = cancelled;
        db.orderedTransaction(
            c -> {
              ResponseStore.insertCancel(
                  c,
                  item.commandId(),
                  run.plan.runId(),
                  item.deviceId(),
                  run.plan.district(),
                  cancelled,
                  System.currentTimeMillis(),
                  run.plan.expiresAtMs());
              return null;
            });
        send(cancel, 1);
      }
    }
    finishIfDone(run);
    return true;
  }

  /**
   * Completes once every state change recorded so far is in the database: ordered work of one
   * context runs in submission order, so an empty ordered transaction queued now finishes after
   * them.
   */
  public Future<Void> flushed() {
    return db.orderedTransaction(c -> null);
  }

  /** Runs being tracked now. */
  public int activeRuns() {
    return (int) runs.values().stream().filter(r -> !r.finished).count();
  }

  public long staleAcks() {
    return staleAcks;
  }

  private void send(Target t, int attempt) {
    long now = System.currentTimeMillis();
    if (now >= t.run.plan.expiresAtMs()) {
      transition(t, "timed_out", "expired before attempt " + attempt, true);
      return;
    }
    t.attempt = attempt;
    if (t.wireId != null) {
      // The earlier attempt's id: its late acks find nothing (counted stale), and the map does not
      // grow per retry.
      byWireId.remove(t.wireId);
    }
    t.wireId = attempt == 1 ? t.item.commandId() : t.item.commandId() + "~" + attempt;
    byWireId.put(t.wireId, t);
    Command.Builder command =
        Command.newBuilder()
            .setCommandId(t.wireId)
            .setDeviceId(t.item.deviceId())
            .setDistrict(t.run.plan.district())
            .setAction(t.item.action())
            .putAllParams(t.item.params())
            .setIssuedAtMs(now)
            .setExpiresAtMs(t.run.plan.expiresAtMs())
            .setPlanRunId(t.run.plan.runId())
            .setAttempt(attempt);
    if (t.cancels != null) {
      command.setCancelsCommandId(t.cancels);
    }
    byte[] payload = command.build().toByteArray();
    String topic = Topics.command(t.run.plan.district(), t.item.deviceId());
    // Message Expiry: the broker drops the command if undelivered by the deadline (a reconnecting
    // device must not
    // run a stale command); the device checks expires_at_ms itself as well.
    long expirySeconds = Math.max(1, (t.run.plan.expiresAtMs() - now + 999) / 1000);
    String wireId = t.wireId;
    if (!t.cancel) {
      transition(t, "sent", attempt == 1 ? "" : "retry", false);
    }
    t.timer = vertx.setTimer(ackTimeout.toMillis(), id -> onTimeout(t, wireId));
    publisher.execute(
        () -> {
          try {
            mqtt.publish(
                topic,
                payload,
                1,
                expirySeconds,
                error -> {
                  if (error != null) {
                    context.runOnContext(v -> onPublishFailed(t, wireId, error));
                  }
                });
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            context.runOnContext(v -> onPublishFailed(t, wireId, e));
          }
        });
  }

  private void onPublishFailed(Target t, String wireId, Throwable error) {
    if (!wireId.equals(t.wireId) || t.isFinal()) {
      return;
    }
    LOG.warn("command {} to {} not published: {}", wireId, t.item.deviceId(), error.toString());
    t.cancelTimer();
    retryOrEnd(t, "failed", "publish failed: " + error.getMessage());
  }

  private void onTimeout(Target t, String wireId) {
    t.timer = -1;
    if (!wireId.equals(t.wireId) || t.isFinal()) {
      return;
    }
    retryOrEnd(t, "timed_out", "no final ack within " + ackTimeout.toMillis() + " ms");
  }

  private void onAck(String topic, byte[] payload) {
    CommandAck ack;
    try {
      ack = CommandAck.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("undecodable ack on {}", topic);
      return;
    }
    Target t = byWireId.get(ack.getCommandId());
    if (t != null && !topic.equals(Topics.ack(t.run.plan.district(), t.item.deviceId()))) {
      // Only the target device, on its own ack topic, answers for its command.
      staleAcks++;
      return;
    }
    if (t == null || !ack.getCommandId().equals(t.wireId) || t.isFinal()) {
      // Another process's command, an earlier attempt answering late, or an ack after the end:
      // nothing to change.
      staleAcks++;
      return;
    }
    if (t.cancel) {
      onCancelAck(t, ack);
      return;
    }
    switch (ack.getStatus()) {
      case ACK_STATUS_ACCEPTED -> {
        if ("sent".equals(t.state)) {
          transition(t, "accepted", ack.getDetail(), false);
        }
      }
      case ACK_STATUS_DONE -> {
        t.cancelTimer();
        transition(t, "done", ack.getDetail(), true);
      }
      case ACK_STATUS_FAILED -> {
        t.cancelTimer();
        retryOrEnd(t, "failed", ack.getDetail());
      }
      case ACK_STATUS_REJECTED -> {
        t.cancelTimer();
        transition(t, "rejected", ack.getDetail(), true);
      }
      default -> staleAcks++;
    }
  }

  private void onCancelAck(Target cancel, CommandAck ack) {
    if (ack.getStatus() == AckStatus.ACK_STATUS_ACCEPTED) {
      return;
    }
    cancel.cancelTimer();
    String state = ack.getStatus() == AckStatus.ACK_STATUS_DONE ? "done" : "rejected";
    cancel.state = state;
    cancel.ended = true;
    byWireId.remove(cancel.wireId);
    String commandId = cancel.item.commandId();
    db.orderedTransaction(
        c -> {
          ResponseStore.recordCommand(c, commandId, state, 1, ack.getDetail());
          return null;
        });
  }

  /**
   * A failed or unanswered attempt: another one after the backoff, unless attempts or time have run
   * out.
   */
  private void retryOrEnd(Target t, String failure, String detail) {
    if (t.cancel) {
      t.state = failure;
      t.ended = true;
      byWireId.remove(t.wireId);
      return;
    }
    int next = t.attempt + 1;
    long delay = backoff.delayMs(next);
    boolean inTime = System.currentTimeMillis() + delay < t.run.plan.expiresAtMs();
    if (next > maxAttempts || !inTime) {
      transition(
          t,
          failure,
          detail
              + (next > maxAttempts
                  ? " (attempt " + t.attempt + " of " + maxAttempts + ")"
                  : " (no time left before expiry)"),
          true);
      return;
    }
    transition(t, failure, detail + "; retry " + next + " in " + delay + " ms", false);
    t.timer =
        vertx.setTimer(
            delay,
            id -> {
              t.timer = -1;
              if (!t.run.cancelled && !t.isFinal()) {
                send(t, next);
              }
            });
  }

  /** Records, pushes, and ends the run when every target is final. */
  private void transition(Target t, String state, String detail, boolean ends) {
    t.state = state;
    t.ended = ends;
    Run run = t.run;
    String commandId = t.item.commandId();
    int attempt = t.attempt;
    db.orderedTransaction(
            c -> {
              ResponseStore.recordCommand(c, commandId, state, attempt, detail);
              return null;
            })
        .onFailure(e -> LOG.error("could not record {} of {}: {}", state, commandId, e.toString()));
    hub.event(
        run.plan.district(),
        "command_progress",
        new JsonObject()
            .put("run_id", run.plan.runId())
            .put("seq", ++run.seq)
            .put("command_id", commandId)
            .put("device_id", t.item.deviceId())
            .put("action", t.item.action())
            .put("state", state)
            .put("attempt", attempt)
            .put("final", t.isFinal())
            .put("detail", detail)
            .put("at", Instant.now().toString()));
    if (t.isFinal()) {
      byWireId.remove(t.wireId);
      finishIfDone(run);
    }
  }

  private void finishIfDone(Run run) {
    if (run.finished || !run.targets.values().stream().allMatch(Target::isFinal)) {
      return;
    }
    run.finished = true;
    runs.remove(run.plan.runId());
    Map<String, Integer> counts = run.counts();
    String state =
        run.cancelled
            ? "cancelled"
            : counts.getOrDefault("done", 0) == run.targets.size()
                ? "completed"
                : "partially_failed";
    db.orderedTransaction(
            c -> {
              ResponseStore.finishRun(c, run.plan.runId(), state);
              return null;
            })
        .onFailure(e -> LOG.error("could not finish run {}: {}", run.plan.runId(), e.toString()));
    pushRun(run, state);
  }

  private void pushRun(Run run, String state) {
    hub.event(
        run.plan.district(),
        "run_progress",
        new JsonObject()
            .put("run_id", run.plan.runId())
            .put("seq", ++run.seq)
            .put("state", state)
            .put("total", run.targets.size())
            .put("counts", new JsonObject(new LinkedHashMap<>(run.counts())))
            .put("at", Instant.now().toString()));
  }

  @Override
  public void close() {
    publisher.shutdownNow();
    try {
      publisher.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One run being tracked. */
  private static final class Run {
    final RunPlan plan;
    final Map<String, Target> targets = new LinkedHashMap<>();
    long seq;
    boolean cancelled;
    boolean finished;

    Run(RunPlan plan) {
      this.plan = plan;
    }

    Map<String, Integer> counts() {
      Map<String, Integer> counts = new LinkedHashMap<>();
      ResponseStore.STATES.forEach(s -> counts.put(s, 0));
      targets.values().forEach(t -> counts.merge(t.state, 1, Integer::sum));
      return counts;
    }
  }

  /** One command to one device (or a cancel command), and where it stands. */
  private final class Target {
    final Run run;
    final RunPlan.Item item;
    final boolean cancel;
    String cancels;
    String state = "pending";
    int attempt;
    String wireId;
    long timer = -1;

    /**
     * Final: no further attempt (done, rejected, cancelled, or failed/timed out with no retry
     * left).
     */
    boolean ended;

    Target(Run run, RunPlan.Item item, boolean cancel) {
      this.run = run;
      this.item = item;
      this.cancel = cancel;
    }

    boolean isFinal() {
      return ended;
    }

    void cancelTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
