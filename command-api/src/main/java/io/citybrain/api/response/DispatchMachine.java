package io.citybrain.api.response;

import io.citybrain.api.response.DispatchEffect.CancelTimer;
import io.citybrain.api.response.DispatchEffect.CommandProgress;
import io.citybrain.api.response.DispatchEffect.CountStaleAck;
import io.citybrain.api.response.DispatchEffect.CountStaleAck.Why;
import io.citybrain.api.response.DispatchEffect.FinishRun;
import io.citybrain.api.response.DispatchEffect.InsertCancel;
import io.citybrain.api.response.DispatchEffect.MarkRun;
import io.citybrain.api.response.DispatchEffect.Publish;
import io.citybrain.api.response.DispatchEffect.RecordCommand;
import io.citybrain.api.response.DispatchEffect.RunProgress;
import io.citybrain.api.response.DispatchEffect.ScheduleAckTimeout;
import io.citybrain.api.response.DispatchEffect.ScheduleRetry;
import io.citybrain.api.response.TrackedCommand.Timer;
import io.citybrain.proto.CommandState;
import io.citybrain.proto.RunState;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Command;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's dispatch as a pure state machine: {@link #transition} takes where a run stands and what
 * happened, and gives where it stands next with what to do about it. No I/O, no clock, no timers:
 * {@link ResponseDispatcher} feeds the events and carries out the effects.
 *
 * <p>A target goes sent, accepted, then done. An attempt without a final ack within the ack timeout
 * (or whose publish failed) is retried after the backoff, under the same command id with the next
 * {@code attempt} (the device runs an id at most once, so a slow device is never actuated twice),
 * until the attempt limit or the run's expiry, and then ends timed_out or failed. Each attempt
 * expires about one ack timeout after it is sent. DONE and FAILED are final, from whichever attempt
 * they come (the device's outcome of the one command); ACCEPTED and REJECTED count only for the
 * attempt awaited. Internally each attempt has its own wire id ({@code <command_id>}, then {@code
 * <command_id>~<attempt>}): the dispatcher maps an ack's (command id, attempt) to it. Only the
 * target device, on its own ack topic, answers for its command. Cancelling makes the run
 * cancelling: a target never sent ends cancelled, every other one not final is cancelling and its
 * device gets a cancel command (tracked to its own ack, not retried); the device's answer is the
 * target's final state (a device that had executed it ends done, not cancelled). The run ends when
 * every target is final: completed when all are done, cancelled when it was cancelled,
 * partially_failed otherwise. Every target transition is recorded and pushed with the run's next
 * sequence number.
 *
 * <pre>
 * target state              event                      next state
 * ------------------------  -------------------------  -------------------------------------------
 * pending                   start                      sent #1; timed_out (final) if expired
 * sent                      ack ACCEPTED               accepted
 * sent, accepted,           ack DONE (any attempt)     done (final)
 *   failed or timed_out     ack FAILED (any attempt)   failed (final)
 *   waiting for a retry     ack REJECTED               rejected (final)
 * sent, accepted            publish failed             failed, retry #n+1 after the backoff;
 *                                                        failed (final) if no attempt or time left
 * sent, accepted            ack timeout                timed_out, retry #n+1 after the backoff;
 *                                                        timed_out (final) if no attempt or time left
 * failed, timed_out         retry due                  sent #n+1 (same command id); timed_out
 *                                                        (final) if expired
 * never sent                cancel                     cancelled (final)
 * sent, accepted, failed    cancel                     cancelling, a cancel command sent
 *   or timed_out, not final
 * cancelling                target's DONE/FAILED/      done/failed/rejected (final): what it did
 *                             REJECTED
 * cancelling                cancel answered DONE       cancelled (final): stopped, or never ran
 * cancelling                cancel answered REJECTED   done/failed/rejected (final) as it says;
 *                             "already <state>: ..."     other refusals: cancelled, outcome unknown
 * cancelling                no answer to the cancel    cancelled (final), "no answer to the
 *                             in the ack timeout         cancel" (not retried: the run is over)
 * final                     any ack                    unchanged, stale ack counted
 * any                       ACCEPTED/REJECTED of an    unchanged, stale ack counted
 *                             earlier attempt, or not
 *                             on the target's own ack
 *                             topic
 * </pre>
 *
 * <p>Anything else (ACCEPTED when not sent, a failed publish when the attempt has failed already, a
 * timer or publish outcome of an earlier attempt, a PUBACK) changes nothing. A cancel command names
 * the command id it cancels (the one the device knows), not an attempt. A cancel command ends done
 * (DONE) or rejected (anything but ACCEPTED); without an answer timed_out, a failed publish failed;
 * each is recorded, none pushed (its target's change is).
 */
final class DispatchMachine {
  /** A cancel command's id is its target's with this suffix. */
  static final String CANCEL_SUFFIX = "~cancel";

  private final Duration ackTimeout;
  private final int maxAttempts;
  private final Backoff backoff;

  DispatchMachine(Duration ackTimeout, int maxAttempts, Backoff backoff) {
    this.ackTimeout = ackTimeout;
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
  }

  /** A run's next state and the effects that go with it, in order. */
  record Step(TrackedRun run, List<DispatchEffect> effects) {
    Step {
      effects = List.copyOf(effects);
    }
  }

  /** The run after {@code event}; {@code run} itself is not changed. */
  Step transition(TrackedRun run, DispatchEvent event) {
    Draft d = new Draft(run);
    if (event instanceof DispatchEvent.Start e) {
      d.start(e.now());
    } else if (event instanceof DispatchEvent.RetryDue e) {
      d.retryDue(e.commandId(), e.attempt(), e.now());
    } else if (event instanceof DispatchEvent.Published) {
      return new Step(run, List.of());
    } else if (event instanceof DispatchEvent.PublishFailed e) {
      d.publishFailed(e.wireId(), e.reason(), e.now());
    } else if (event instanceof DispatchEvent.Ack e) {
      d.ack(e.topic(), e.wireId(), e.status(), e.detail(), e.now());
    } else if (event instanceof DispatchEvent.AckTimeout e) {
      d.ackTimeout(e.wireId(), e.now());
    } else if (event instanceof DispatchEvent.CancelRequested e) {
      d.cancel(e.now());
    } else {
      throw new IllegalArgumentException("unknown event " + event);
    }
    return new Step(d.freeze(), d.effects);
  }

  /** One transition in the making: a copy of the run, changed in place, and the effects so far. */
  private final class Draft {
    final RunPlan plan;
    final Map<String, TrackedCommand> targets;
    final Map<String, TrackedCommand> cancels;
    final Map<String, String> wireIds;
    long seq;
    boolean cancelled;
    RunState state;
    final List<DispatchEffect> effects = new ArrayList<>();

    Draft(TrackedRun run) {
      plan = run.plan();
      targets = new LinkedHashMap<>(run.targets());
      cancels = new LinkedHashMap<>(run.cancels());
      wireIds = new LinkedHashMap<>(run.wireIds());
      seq = run.seq();
      cancelled = run.cancelled();
      state = run.state();
    }

    TrackedRun freeze() {
      return new TrackedRun(plan, targets, cancels, wireIds, seq, cancelled, state);
    }

    TrackedCommand get(String commandId) {
      TrackedCommand target = targets.get(commandId);
      return target != null ? target : cancels.get(commandId);
    }

    void put(TrackedCommand c) {
      (c.isCancel() ? cancels : targets).put(c.commandId(), c);
    }

    void start(Instant now) {
      if (state == RunState.CANCELLING) {
        continueCancel(now);
        return;
      }
      if (state != RunState.RUNNING) {
        return;
      }
      if (targets.values().stream().allMatch(TrackedCommand::ended)) {
        // No target (or, resumed, every target final before the run was): the run ends now.
        finishIfDone(now);
        return;
      }
      if (targets.values().stream().anyMatch(t -> t.state() != CommandState.PENDING)) {
        return; // started already
      }
      for (String commandId : List.copyOf(targets.keySet())) {
        send(commandId, 1, now);
      }
    }

    void retryDue(String commandId, int attempt, Instant now) {
      TrackedCommand t = targets.get(commandId);
      if (t == null || t.timer() != Timer.BACKOFF || attempt != t.attempt() + 1) {
        return; // not the backoff this command waits out
      }
      put(t.with(Timer.NONE));
      if (!cancelled && !t.ended()) {
        send(commandId, attempt, now);
      }
    }

    void publishFailed(String wireId, String reason, Instant now) {
      TrackedCommand t = current(wireId);
      if (t == null || t.state() == CommandState.FAILED) {
        return; // the attempt has failed already
      }
      cancelTimer(t.commandId());
      retryOrEnd(t.commandId(), CommandState.FAILED, "publish failed: " + reason, now);
    }

    void ackTimeout(String wireId, Instant now) {
      TrackedCommand t = current(wireId);
      if (t == null || t.timer() != Timer.ACK_TIMEOUT) {
        return;
      }
      put(t.with(Timer.NONE));
      retryOrEnd(
          t.commandId(),
          CommandState.TIMED_OUT,
          "no final ack within " + ackTimeout.toMillis() + " ms",
          now);
    }

    /** The command whose current attempt has this wire id, unless it is final. */
    TrackedCommand current(String wireId) {
      String commandId = wireIds.get(wireId);
      TrackedCommand t = commandId == null ? null : get(commandId);
      return t == null || !wireId.equals(t.wireId()) || t.ended() ? null : t;
    }

    void ack(String topic, String wireId, AckStatus status, String detail, Instant now) {
      String commandId = wireIds.get(wireId);
      if (commandId == null) {
        stale(wireId, Why.UNKNOWN_COMMAND);
        return;
      }
      TrackedCommand t = get(commandId);
      if (!topic.equals(Topics.ack(plan.district(), t.item().deviceId()))) {
        stale(wireId, Why.NOT_FROM_TARGET);
        return;
      }
      if (t.ended()) {
        stale(wireId, Why.AFTER_THE_END);
        return;
      }
      boolean earlier = !wireId.equals(t.wireId());
      if (earlier && status != AckStatus.ACK_STATUS_DONE && status != AckStatus.ACK_STATUS_FAILED) {
        // Only the awaited attempt's ACCEPTED or REJECTED counts; an outcome is the command's own:
        // every attempt carries the same command id, which the device runs at most once.
        stale(wireId, Why.EARLIER_ATTEMPT);
        return;
      }
      if (t.isCancel()) {
        cancelAck(t, status, detail, now);
        return;
      }
      switch (status) {
        case ACK_STATUS_ACCEPTED -> {
          if (t.state() == CommandState.SENT) {
            change(commandId, CommandState.ACCEPTED, detail, false, now);
          }
        }
        case ACK_STATUS_DONE -> {
          cancelTimer(commandId);
          change(commandId, CommandState.DONE, detail, true, now);
        }
        case ACK_STATUS_FAILED -> {
          // Final: a retry under the same id would only be answered with this outcome again.
          cancelTimer(commandId);
          change(commandId, CommandState.FAILED, detail, true, now);
        }
        case ACK_STATUS_REJECTED -> {
          cancelTimer(commandId);
          change(commandId, CommandState.REJECTED, detail, true, now);
        }
        default -> stale(wireId, Why.NO_STATUS);
      }
    }

    /**
     * A cancel command's answer, and with it what the device did with the target: DONE, it stopped
     * the target or kept it from running (cancelled); REJECTED {@code already <state>: ...}, it had
     * finished it (that state: done, failed, rejected); any other refusal leaves the outcome
     * unknown (cancelled, saying so). ACCEPTED changes nothing.
     */
    void cancelAck(TrackedCommand cancel, AckStatus status, String detail, Instant now) {
      if (status == AckStatus.ACK_STATUS_ACCEPTED) {
        return;
      }
      cancelTimer(cancel.commandId());
      CommandState s =
          status == AckStatus.ACK_STATUS_DONE ? CommandState.DONE : CommandState.REJECTED;
      put(get(cancel.commandId()).with(s, true));
      effects.add(new RecordCommand(cancel.commandId(), s, 1, detail));
      if (s == CommandState.DONE) {
        settleCancelled(cancel.cancels(), CommandState.CANCELLED, "cancelled: " + detail, now);
        return;
      }
      CommandState did = executedBefore(detail);
      if (did != null) {
        settleCancelled(cancel.cancels(), did, "finished before the cancel: " + detail, now);
      } else {
        settleCancelled(
            cancel.cancels(),
            CommandState.CANCELLED,
            "cancel refused by the device (" + detail + "); outcome unknown",
            now);
      }
    }

    /** A target waiting for its cancel's answer ends in {@code to}; any other is left alone. */
    void settleCancelled(String commandId, CommandState to, String detail, Instant now) {
      TrackedCommand t = targets.get(commandId);
      if (t != null && !t.ended() && t.state() == CommandState.CANCELLING) {
        change(commandId, to, detail, true, now);
      }
    }

    /**
     * Cancels the run: targets never sent end cancelled at once; every other target not final is
     * cancelling until its device answers the cancel command it is sent.
     */
    void cancel(Instant now) {
      if (state != RunState.RUNNING) {
        return;
      }
      cancelled = true;
      state = RunState.CANCELLING;
      effects.add(new MarkRun(plan.runId(), RunState.CANCELLING));
      continueCancel(now);
    }

    /**
     * Carries a cancel on (at once, or in a run resumed while cancelling): each target not final
     * and not yet waiting for a cancel gets one (or ends cancelled if never sent); the run ends
     * once every target is final.
     */
    void continueCancel(Instant now) {
      for (String commandId : List.copyOf(targets.keySet())) {
        TrackedCommand t = targets.get(commandId);
        if (t.ended()) {
          continue;
        }
        TrackedCommand waiting = cancels.get(commandId + CANCEL_SUFFIX);
        if (t.state() == CommandState.CANCELLING && waiting != null) {
          if (waiting.ended()) {
            // Its answer was in, the target's outcome was lost in a restart between the writes.
            change(
                commandId,
                CommandState.CANCELLED,
                "cancel answered " + waiting.state().word() + " before a restart",
                true,
                now);
          }
          continue;
        }
        cancelTimer(commandId);
        // The device knows the command by its one id, whichever attempt it got; null: never sent.
        if (t.wireId() == null) {
          change(commandId, CommandState.CANCELLED, "cancelled before it was sent", true, now);
          continue;
        }
        change(commandId, CommandState.CANCELLING, "cancel sent", false, now);
        RunPlan.Item item =
            new RunPlan.Item(
                commandId + CANCEL_SUFFIX, t.item().deviceId(), ResponseStore.CANCEL, Map.of());
        put(TrackedCommand.cancel(item, commandId));
        effects.add(
            new InsertCancel(
                item.commandId(),
                plan.runId(),
                item.deviceId(),
                plan.district(),
                commandId,
                now.toEpochMilli(),
                Math.max(plan.expiresAtMs(), now.toEpochMilli() + ackTimeout.toMillis())));
        send(item.commandId(), 1, now);
      }
      finishIfDone(now);
    }

    void send(String commandId, int attempt, Instant now) {
      long nowMs = now.toEpochMilli();
      TrackedCommand sending = get(commandId);
      // A cancel lives its own ack timeout: a run cancelled late still asks what its devices did.
      long deadlineMs = sending.isCancel() ? nowMs + ackTimeout.toMillis() : plan.expiresAtMs();
      if (!sending.isCancel() && nowMs >= plan.expiresAtMs()) {
        change(commandId, CommandState.TIMED_OUT, "expired before attempt " + attempt, true, now);
        return;
      }
      TrackedCommand t = get(commandId).sending(attempt);
      if (t.isCancel()) {
        t = t.with(CommandState.SENT, false); // as stored by InsertCancel
      }
      put(t);
      wireIds.put(t.wireId(), commandId);
      // Each attempt lives about one ack timeout: a device back from a long disconnect is not
      // handed every attempt queued for it, only (at most) a current one.
      long expiresAtMs = Math.min(deadlineMs, nowMs + ackTimeout.toMillis());
      Command.Builder command =
          Command.newBuilder()
              .setCommandId(t.commandId())
              .setDeviceId(t.item().deviceId())
              .setDistrict(plan.district())
              .setAction(t.item().action())
              .putAllParams(t.item().params())
              .setIssuedAtMs(nowMs)
              .setExpiresAtMs(expiresAtMs)
              .setPlanRunId(plan.runId())
              .setAttempt(attempt);
      if (t.isCancel()) {
        command.setCancelsCommandId(t.cancels());
      }
      long expirySeconds = Math.max(1, (expiresAtMs - nowMs + 999) / 1000);
      if (!t.isCancel()) {
        change(commandId, CommandState.SENT, attempt == 1 ? "" : "retry", false, now);
      }
      effects.add(new ScheduleAckTimeout(commandId, t.wireId(), ackTimeout.toMillis()));
      effects.add(
          new Publish(
              commandId,
              t.wireId(),
              Topics.command(plan.district(), t.item().deviceId()),
              command.build(),
              expirySeconds));
    }

    /**
     * A failed or unanswered attempt: another one after the backoff, unless attempts or time have
     * run out. A cancel command is not retried: it ends, recorded like its answers.
     */
    void retryOrEnd(String commandId, CommandState failure, String detail, Instant now) {
      TrackedCommand t = get(commandId);
      if (t.isCancel()) {
        put(t.with(failure, true));
        effects.add(new RecordCommand(commandId, failure, t.attempt(), detail));
        settleCancelled(
            t.cancels(),
            CommandState.CANCELLED,
            failure == CommandState.TIMED_OUT
                ? "no answer to the cancel: " + detail
                : "cancel not sent: " + detail,
            now);
        return;
      }
      int next = t.attempt() + 1;
      long delay = backoff.delayMs(next);
      boolean inTime = now.toEpochMilli() + delay < plan.expiresAtMs();
      if (next > maxAttempts || !inTime) {
        change(
            commandId,
            failure,
            detail
                + (next > maxAttempts
                    ? " (attempt " + t.attempt() + " of " + maxAttempts + ")"
                    : " (no time left before expiry)"),
            true,
            now);
        return;
      }
      change(commandId, failure, detail + "; retry " + next + " in " + delay + " ms", false, now);
      put(get(commandId).with(Timer.BACKOFF));
      effects.add(new ScheduleRetry(commandId, next, delay));
    }

    void cancelTimer(String commandId) {
      TrackedCommand t = get(commandId);
      if (t.timer() != Timer.NONE) {
        put(t.with(Timer.NONE));
        effects.add(new CancelTimer(commandId));
      }
    }

    /** A command's new state: recorded, pushed, and the run ended when every target is final. */
    void change(String commandId, CommandState to, String detail, boolean ends, Instant now) {
      TrackedCommand t = get(commandId).with(to, ends);
      put(t);
      effects.add(new RecordCommand(commandId, to, t.attempt(), detail));
      effects.add(
          new CommandProgress(
              plan.district(),
              plan.runId(),
              ++seq,
              commandId,
              t.item().deviceId(),
              t.item().action(),
              to,
              t.attempt(),
              ends,
              detail,
              now));
      if (ends) {
        finishIfDone(now);
      }
    }

    void finishIfDone(Instant now) {
      if (!(state == RunState.RUNNING || state == RunState.CANCELLING)
          || !targets.values().stream().allMatch(TrackedCommand::ended)) {
        return;
      }
      Map<CommandState, Integer> counts = freeze().counts();
      state =
          cancelled
              ? RunState.CANCELLED
              : counts.get(CommandState.DONE) == targets.size()
                  ? RunState.COMPLETED
                  : RunState.PARTIALLY_FAILED;
      effects.add(new FinishRun(plan.runId(), state));
      effects.add(
          new RunProgress(
              plan.district(), plan.runId(), ++seq, state, targets.size(), counts, now));
    }

    void stale(String wireId, Why why) {
      effects.add(new CountStaleAck(wireId, why));
    }
  }

  /**
   * What a device says it did before a cancel came, from a REJECTED cancel's detail {@code already
   * <done|failed|rejected>: ...} (proto/README.md); null when it says something else.
   */
  static CommandState executedBefore(String detail) {
    if (detail == null || !detail.startsWith("already ")) {
      return null;
    }
    String rest = detail.substring("already ".length());
    for (CommandState s : List.of(CommandState.DONE, CommandState.FAILED, CommandState.REJECTED)) {
      if (rest.equals(s.word()) || rest.startsWith(s.word() + ":")) {
        return s;
      }
    }
    return null;
  }
}
