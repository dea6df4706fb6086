package io.citybrain.api.response;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.api.db.Db;
import io.citybrain.api.db.StateWriter;
import io.citybrain.api.live.LiveHub;
import io.citybrain.api.response.DispatchEffect.CancelTimer;
import io.citybrain.api.response.DispatchEffect.CommandProgress;
import io.citybrain.api.response.DispatchEffect.CountStaleAck;
import io.citybrain.api.response.DispatchEffect.FinishRun;
import io.citybrain.api.response.DispatchEffect.InsertCancel;
import io.citybrain.api.response.DispatchEffect.MarkRun;
import io.citybrain.api.response.DispatchEffect.Publish;
import io.citybrain.api.response.DispatchEffect.RecordCommand;
import io.citybrain.api.response.DispatchEffect.RunProgress;
import io.citybrain.api.response.DispatchEffect.ScheduleAckTimeout;
import io.citybrain.api.response.DispatchEffect.ScheduleRetry;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.RunState;
import io.citybrain.proto.Topics;
import io.citybrain.proto.sign.CommandSignature;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a run's commands and tracks every target to a final state. What happens when is {@link
 * DispatchMachine}'s (the transitions, retries, backoff, cancel, stale acks, the run's end); this
 * class feeds it events and carries out its effects: MQTT publishes, timers, database writes (in
 * order, on one ordered worker queue) and pushes to the district's live subscribers.
 *
 * <p>Threading: all state lives on the API's event loop. Paho's callback thread only hands acks and
 * publish outcomes over; publishes run on a thread of their own because {@link
 * MqttConnection#publish} blocks while the broker's in-flight window is full.
 *
 * <p>Trust: every attempt is signed ({@link CommandKeys}) and goes out under the command's one id
 * with its attempt number; a device runs an id at most once and answers a repeat with its first
 * outcome, so a retry never actuates twice. An ack changes nothing until {@link AckCheck} passes
 * (its topic, the device's HMAC, the digest of the attempt sent); a refused one is audited ({@link
 * RefusedAcks}, rate-capped). Inside, an attempt is known by its wire id ({@code <command_id>},
 * then {@code <command_id>~<attempt>}), which {@link DispatchMachine} tracks.
 *
 * <p>Leadership: every API process serves requests and stores runs, but only the holder of the
 * leader lease ({@link #lead}) sends, retries, times out and finalises. A standby stores the acks
 * it receives and the cancels it is asked for; the leader takes both from the database, and every
 * poll it loads the running runs it does not track ({@link RunResume}: runs stored by a standby, or
 * left by a process that died), continuing each from its stored attempts. Every state change goes
 * through one {@link StateWriter}: in order, retried until the database takes it.
 */
public final class ResponseDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseDispatcher.class);

  /** An ack is a few hundred bytes; anything far larger is dropped before it is parsed. */
  static final int MAX_ACK_BYTES = 4096;

  /**
   * Acks of one topic (one device) a standby keeps for the leader at most. A device answers each
   * attempt sent to it once; more than this waiting at once is a device flooding its ack topic, and
   * without a cap it could fill the table between two polls of the leader.
   */
  static final int MAX_INBOX_ACKS_PER_TOPIC = 32;

  private final Vertx vertx;
  private final Context context;
  private final MqttConnection mqtt;
  private final Db db;
  private final LiveHub hub;
  private final DispatchMachine machine;
  private final Duration ackTimeout;
  private final Backoff backoff;
  private final Duration leaderPoll;
  private final StateWriter writer;
  private final CommandKeys keys;
  private final RefusedAcks refusedAcks;
  private final AckDrops ackDrops = new AckDrops();

  /** The digest of each signed attempt sent, by wire id: what its ack must name. */
  private final Map<String, byte[]> sentDigests = new HashMap<>();

  private final ExecutorService publisher =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "citybrain-api-commands");
            t.setDaemon(true);
            return t;
          });

  /** The runs being tracked: running, or cancelled with cancel commands awaiting their acks. */
  private final Map<String, TrackedRun> runs = new HashMap<>();

  /** Every wire id sent by a tracked run, to that run: where an ack goes. */
  private final Map<String, String> runByWireId = new HashMap<>();

  /** Each command's running timer, by command id. */
  private final Map<String, Long> timers = new HashMap<>();

  private long staleAcks;

  /** Holding the lease: this process tracks the runs. */
  private boolean leading;

  /** The leader's ack session is open: acks come from it, not from the shared connection. */
  private boolean ackSessionOpen;

  /** Leading, but the runs left running are still being loaded: acks go to the database. */
  private boolean loading;

  /** Bumped on every change of leadership: a poll of an earlier term is dropped. */
  private long term;

  private long pollTimer = -1;

  /** The latest runs this process tracked to their end (bounded). */
  private final Map<String, Boolean> endedHere =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > 10_000;
        }
      };

  private long resumedRuns;

  public ResponseDispatcher(
      Vertx vertx,
      Context context,
      MqttConnection mqtt,
      Db db,
      LiveHub hub,
      Duration ackTimeout,
      int maxAttempts,
      Backoff backoff,
      CommandKeys keys,
      Duration leaderPoll) {
    this.vertx = vertx;
    this.context = context;
    this.mqtt = mqtt;
    this.db = db;
    this.hub = hub;
    this.machine = new DispatchMachine(ackTimeout, maxAttempts, backoff);
    this.ackTimeout = ackTimeout;
    this.backoff = backoff;
    this.leaderPoll = leaderPoll;
    this.writer = new StateWriter(vertx, db);
    this.keys = keys;
    this.refusedAcks = new RefusedAcks(db);
  }

  /**
   * Subscribes to every district's ack topics; acks are decoded on the event loop. While the
   * leader's ack session is open they come from it, and these copies are dropped.
   */
  public void subscribe() {
    mqtt.subscribe(
        Topics.filter(MessageClass.ACK, Topics.ANY),
        1,
        (topic, payload) ->
            context.runOnContext(
                v -> {
                  if (!(leading && ackSessionOpen)) {
                    onAck(topic, payload);
                  }
                }));
  }

  /** An ack from the leader's persistent session ({@link LeaderAckSession}); on the event loop. */
  public void ackFromSession(String topic, byte[] payload) {
    onAck(topic, payload);
  }

  /** Whether the leader's ack session is open; set on the event loop. */
  public void ackSessionOpen(boolean open) {
    ackSessionOpen = open;
  }

  /**
   * Starts sending a stored run; call on the event loop. A standby leaves it to the leader, which
   * finds it stored within one poll.
   */
  public void start(RunPlan plan) {
    if (!leading || loading || runs.containsKey(plan.runId())) {
      return;
    }
    apply(TrackedRun.of(plan), new DispatchEvent.Start(Instant.now()));
  }

  /**
   * Cancels a running run: targets not yet final are marked cancelled and their devices get a
   * cancel command. A run this process does not track (it is a standby, or the run is not loaded
   * yet) gets the cancel stored for the leader, which carries it out within one poll. False when
   * the run is tracked here and no longer running.
   */
  public boolean cancel(String runId) {
    TrackedRun run = runs.get(runId);
    if (run == null || !leading || loading) {
      writer.write(
          "cancel request of " + runId,
          c -> {
            ResponseStore.requestCancel(c, runId);
            return null;
          });
      return true;
    }
    if (!run.running()) {
      return false;
    }
    apply(run, new DispatchEvent.CancelRequested(Instant.now()));
    return true;
  }

  /** Completes once every state change recorded so far is in the database. */
  public Future<Void> flushed() {
    return writer.flushed();
  }

  /** Whether this process holds the leader lease and tracks the runs. */
  public boolean leading() {
    return leading;
  }

  /** Runs this process took over from the database (left by another process, or by a standby). */
  public long resumedRuns() {
    return resumedRuns;
  }

  /** State changes waiting for the database. */
  public long pendingWrites() {
    return writer.pending();
  }

  /**
   * This process now holds the lease: once every write of its own is in, it loads the runs left
   * running, then polls for new ones, stored acks and cancels. Call on the event loop.
   */
  public void lead() {
    if (leading) {
      return;
    }
    leading = true;
    loading = true;
    long myTerm = ++term;
    LOG.info("response leader: loading the runs left running");
    writer
        .flushed()
        .onComplete(
            v -> {
              if (myTerm == term) {
                poll(myTerm, true);
              }
            });
  }

  /**
   * This process lost the lease: it stops tracking (another process resumes the runs from the
   * database); queued writes still go in. Call on the event loop.
   */
  public void standBy() {
    if (!leading) {
      return;
    }
    leading = false;
    loading = false;
    term++;
    if (pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
      pollTimer = -1;
    }
    timers.values().forEach(vertx::cancelTimer);
    timers.clear();
    runs.clear();
    runByWireId.clear();
    sentDigests.clear();
    LOG.warn("response leader lease lost: not tracking runs until it is taken again");
  }

  /**
   * One poll: runs not tracked yet, then the cancels and acks stored by any process; the next one
   * is due a poll interval after this one ends.
   */
  private void poll(long myTerm, boolean first) {
    // Runs ended here are not taken for left running while their end is still on its way in.
    Set<String> tracked = new HashSet<>(runs.keySet());
    tracked.addAll(endedHere.keySet());
    // Queued runs no earlier run holds a device of are started first, so this poll loads them.
    db.transaction(RunGuards::startQueued)
        .recover(
            e -> {
              LOG.warn("response leader: queued runs not started: {}", e.toString());
              return Future.succeededFuture(List.of());
            })
        .compose(
            started -> {
              if (!started.isEmpty()) {
                LOG.info("response leader: started queued run(s) {}", started);
              }
              return db.query(
                  c -> {
                    List<RunResume.Resumed> resumed =
                        RunResume.load(c, tracked, ackTimeout, backoff);
                    List<String> cancels = RunResume.cancelRequests(c);
                    return new Polled(resumed, cancels);
                  });
            })
        .compose(
            polled -> {
              if (myTerm != term) {
                return Future.succeededFuture();
              }
              polled.resumed().forEach(this::resume);
              if (first) {
                loading = false;
                LOG.info(
                    "response leader: tracking {} run(s) ({} resumed)",
                    runs.size(),
                    polled.resumed().size());
              }
              for (String runId : polled.cancels()) {
                TrackedRun run = runs.get(runId);
                if (run != null && run.running()) {
                  apply(run, new DispatchEvent.CancelRequested(Instant.now()));
                }
              }
              return db.transaction(c -> ResponseStore.takeAcks(c, 1000));
            })
        .onComplete(
            taken -> {
              if (myTerm != term) {
                return;
              }
              if (taken.succeeded() && taken.result() != null) {
                taken.result().forEach(a -> onAck(a.topic(), a.payload()));
              } else if (taken.failed()) {
                LOG.warn("response leader poll failed: {}", taken.cause().toString());
              }
              if (first && loading) {
                // The first load failed: keep storing acks until a poll loads the runs.
                LOG.warn("response leader: runs not loaded yet, trying again");
              }
              pollTimer =
                  vertx.setTimer(leaderPoll.toMillis(), t -> poll(myTerm, first && loading));
            });
  }

  private record Polled(List<RunResume.Resumed> resumed, List<String> cancels) {}

  /** Tracks a run another process left, from where the database says it stands. */
  private void resume(RunResume.Resumed r) {
    TrackedRun run = r.run();
    if (runs.containsKey(run.runId())) {
      return;
    }
    resumedRuns++;
    runs.put(run.runId(), run);
    run.wireIds().keySet().forEach(w -> runByWireId.put(w, run.runId()));
    sentDigests.putAll(r.digests());
    long now = System.currentTimeMillis();
    for (RunResume.Due due : r.timers()) {
      long delay = Math.max(1, due.atMs() - now); // Vert.x timers take 1 ms at least
      String runId = run.runId();
      if (due.ackTimeout()) {
        schedule(
            due.commandId(),
            delay,
            () -> apply(runId, new DispatchEvent.AckTimeout(due.wireId(), Instant.now())));
      } else {
        schedule(
            due.commandId(),
            delay,
            () ->
                apply(
                    runId,
                    new DispatchEvent.RetryDue(due.commandId(), due.attempt(), Instant.now())));
      }
    }
    LOG.info(
        "resumed run {}: {} target(s), {} timer(s) set again",
        run.runId(),
        run.targets().size(),
        r.timers().size());
    if (run.state() == RunState.CANCELLING
        || run.targets().values().stream().allMatch(TrackedCommand::ended)) {
      // A cancelling run goes on: targets still without a cancel get one, the run ends when all
      // are final.
      apply(run, new DispatchEvent.Start(Instant.now()));
    } else if (r.cancelRequested()) {
      apply(run, new DispatchEvent.CancelRequested(Instant.now()));
    }
  }

  /** Runs being tracked now. */
  public int activeRuns() {
    return (int) runs.values().stream().filter(TrackedRun::active).count();
  }

  public long staleAcks() {
    return staleAcks;
  }

  /** Acks dropped unread: too large, undecodable, or their topic's inbox share full. */
  public long droppedAcks() {
    return ackDrops.dropped();
  }

  /** Acks refused by {@link AckCheck} (forged, misaddressed, or naming no attempt sent). */
  public long refusedAcks() {
    return refusedAcks.refused();
  }

  private void onAck(String topic, byte[] payload) {
    if (!leading || loading) {
      if (payload.length <= MAX_ACK_BYTES) {
        // Checked by the leader when it applies it: it holds the digests of the attempts sent.
        writer.write(
            "ack on " + topic,
            c -> {
              if (!ResponseStore.storeAck(c, topic, payload, MAX_INBOX_ACKS_PER_TOPIC)) {
                ackDrops.inboxFull(topic, MAX_INBOX_ACKS_PER_TOPIC);
              }
              return null;
            });
      } else {
        ackDrops.oversized(topic, payload.length);
      }
      return;
    }
    if (payload.length > MAX_ACK_BYTES) {
      ackDrops.oversized(topic, payload.length);
      return;
    }
    CommandAck ack;
    try {
      ack = CommandAck.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      ackDrops.undecodable(topic);
      return;
    }
    String wireId =
        ack.getAttempt() <= 1 ? ack.getCommandId() : ack.getCommandId() + "~" + ack.getAttempt();
    String runId = runByWireId.get(wireId);
    Optional<String> refusal;
    if (runId == null) {
      if (!runByWireId.containsKey(ack.getCommandId())) {
        // Another process's command, or one of a run no longer tracked: nothing to change.
        staleAcks++;
        return;
      }
      refusal = Optional.of("unknown attempt " + ack.getAttempt() + " of " + ack.getCommandId());
    } else {
      refusal =
          AckCheck.refusal(topic, ack, keys.ackKey(ack.getDeviceId()), sentDigests.get(wireId));
    }
    if (refusal.isPresent()) {
      refusedAcks.refuse(
          topic,
          ack.getDeviceId(),
          ack.getCommandId(),
          ack.getStatus().name(),
          refusal.get(),
          System.currentTimeMillis());
      return;
    }
    apply(
        runId,
        new DispatchEvent.Ack(topic, wireId, ack.getStatus(), ack.getDetail(), Instant.now()));
  }

  private void apply(String runId, DispatchEvent event) {
    TrackedRun run = runs.get(runId);
    if (run != null) {
      apply(run, event);
    }
  }

  /**
   * One transition: the run's next state kept (or dropped once settled), its effects carried out.
   */
  private void apply(TrackedRun run, DispatchEvent event) {
    DispatchMachine.Step step = machine.transition(run, event);
    TrackedRun next = step.run();
    if (next.settled()) {
      runs.remove(next.runId());
      endedHere.put(next.runId(), true);
    } else {
      runs.put(next.runId(), next);
    }
    for (DispatchEffect effect : step.effects()) {
      execute(next, effect);
    }
    if (next.settled()) {
      next.wireIds().keySet().forEach(runByWireId::remove);
      next.wireIds().keySet().forEach(sentDigests::remove);
    }
  }

  private void execute(TrackedRun run, DispatchEffect effect) {
    String runId = run.runId();
    if (effect instanceof Publish p) {
      publish(runId, p);
    } else if (effect instanceof ScheduleAckTimeout s) {
      schedule(
          s.commandId(),
          s.delayMs(),
          () -> apply(runId, new DispatchEvent.AckTimeout(s.wireId(), Instant.now())));
    } else if (effect instanceof ScheduleRetry s) {
      schedule(
          s.commandId(),
          s.delayMs(),
          () ->
              apply(runId, new DispatchEvent.RetryDue(s.commandId(), s.attempt(), Instant.now())));
    } else if (effect instanceof CancelTimer c) {
      Long timer = timers.remove(c.commandId());
      if (timer != null) {
        vertx.cancelTimer(timer);
      }
    } else if (effect instanceof RecordCommand r) {
      TrackedCommand now = run.command(r.commandId());
      boolean ended = now != null && now.ended();
      writer.write(
          r.state().word() + " of " + r.commandId(),
          c -> {
            ResponseStore.recordCommand(
                c, r.commandId(), r.state().word(), r.attempts(), r.detail(), ended);
            return null;
          });
    } else if (effect instanceof InsertCancel i) {
      writer.write(
          "cancel " + i.commandId(),
          c -> {
            ResponseStore.insertCancel(
                c,
                i.commandId(),
                i.runId(),
                i.deviceId(),
                i.district(),
                i.cancels(),
                i.issuedAtMs(),
                i.expiresAtMs());
            return null;
          });
    } else if (effect instanceof MarkRun m) {
      writer.write(
          m.state().word() + " of run " + m.runId(),
          c -> {
            ResponseStore.markRun(c, m.runId(), m.state().word());
            return null;
          });
    } else if (effect instanceof FinishRun f) {
      writer.write(
          "end of run " + f.runId(),
          c -> {
            ResponseStore.finishRun(c, f.runId(), f.state().word());
            return null;
          });
    } else if (effect instanceof CommandProgress p) {
      hub.event(p.district(), "command_progress", json(p));
    } else if (effect instanceof RunProgress p) {
      hub.event(p.district(), "run_progress", json(p));
    } else if (effect instanceof CountStaleAck) {
      staleAcks++;
    } else {
      throw new IllegalArgumentException("unknown effect " + effect);
    }
  }

  private void schedule(String commandId, long delayMs, Runnable fired) {
    long timer =
        vertx.setTimer(
            delayMs,
            id -> {
              timers.remove(commandId, id);
              fired.run();
            });
    timers.put(commandId, timer);
  }

  private void publish(String runId, Publish p) {
    runByWireId.put(p.wireId(), runId);
    Command signed = keys.sign(p.command());
    byte[] digest = CommandSignature.digest(signed);
    sentDigests.put(p.wireId(), digest);
    // What a process resuming the run needs to check this attempt's ack and wait out its timeout.
    writer.write(
        "attempt " + p.wireId(),
        c -> {
          ResponseStore.recordAttempt(
              c,
              p.commandId(),
              signed.getAttempt(),
              digest,
              signed.getIssuedAtMs(),
              signed.getExpiresAtMs());
          return null;
        });
    byte[] payload = signed.toByteArray();
    String wireId = p.wireId();
    publisher.execute(
        () -> {
          try {
            mqtt.publish(
                p.topic(),
                payload,
                1,
                p.expirySeconds(),
                error -> {
                  if (error == null) {
                    context.runOnContext(v -> apply(runId, new DispatchEvent.Published(wireId)));
                  } else {
                    publishFailed(runId, p, error);
                  }
                });
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            publishFailed(runId, p, e);
          }
        });
  }

  private void publishFailed(String runId, Publish p, Throwable error) {
    LOG.warn(
        "command {} to {} not published: {}",
        p.wireId(),
        p.command().getDeviceId(),
        error.toString());
    context.runOnContext(
        v ->
            apply(
                runId,
                new DispatchEvent.PublishFailed(p.wireId(), error.getMessage(), Instant.now())));
  }

  private static JsonObject json(CommandProgress p) {
    return new JsonObject()
        .put("run_id", p.runId())
        .put("seq", p.seq())
        .put("command_id", p.commandId())
        .put("device_id", p.deviceId())
        .put("action", p.action())
        .put("state", p.state().word())
        .put("attempt", p.attempt())
        .put("final", p.ends())
        .put("detail", p.detail())
        .put("at", p.at().toString());
  }

  private static JsonObject json(RunProgress p) {
    Map<String, Object> counts = new LinkedHashMap<>();
    p.counts().forEach((state, n) -> counts.put(state.word(), n));
    return new JsonObject()
        .put("run_id", p.runId())
        .put("seq", p.seq())
        .put("state", p.state().word())
        .put("total", p.total())
        .put("counts", new JsonObject(counts))
        .put("at", p.at().toString());
  }

  @Override
  public void close() {
    term++;
    if (pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
    }
    publisher.shutdownNow();
    try {
      publisher.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
