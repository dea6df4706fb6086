package io.citybrain.api.response;

import io.citybrain.proto.CommandState;

/**
 * Where one command to one device stands (a target of the run, or a cancel command): immutable.
 *
 * @param cancels the command id a cancel command cancels; null for a target
 * @param attempt the last attempt sent, 0 before the first
 * @param wireId the last attempt's wire id, null before the first
 * @param ended final: no further attempt (done, rejected, cancelled, or failed / timed out with no
 *     retry left); {@code state} alone does not say it, a failed attempt may be retried
 * @param timer which of the command's timers is running
 */
record TrackedCommand(
    RunPlan.Item item,
    String cancels,
    CommandState state,
    int attempt,
    String wireId,
    boolean ended,
    Timer timer) {

  /** The one timer a command may have running. */
  enum Timer {
    NONE,
    /** Waiting for the attempt's final ack. */
    ACK_TIMEOUT,
    /** Waiting out the backoff before the next attempt. */
    BACKOFF
  }

  static TrackedCommand target(RunPlan.Item item) {
    return new TrackedCommand(item, null, CommandState.PENDING, 0, null, false, Timer.NONE);
  }

  static TrackedCommand cancel(RunPlan.Item item, String cancels) {
    return new TrackedCommand(item, cancels, CommandState.PENDING, 0, null, false, Timer.NONE);
  }

  String commandId() {
    return item.commandId();
  }

  boolean isCancel() {
    return cancels != null;
  }

  /** The wire id of an attempt: the command id first, then {@code <command_id>~<attempt>}. */
  String wireIdOf(int n) {
    return n == 1 ? item.commandId() : item.commandId() + "~" + n;
  }

  TrackedCommand sending(int n) {
    return new TrackedCommand(item, cancels, state, n, wireIdOf(n), ended, Timer.ACK_TIMEOUT);
  }

  TrackedCommand with(CommandState newState, boolean isEnded) {
    return new TrackedCommand(item, cancels, newState, attempt, wireId, isEnded, timer);
  }

  TrackedCommand with(Timer newTimer) {
    return new TrackedCommand(item, cancels, state, attempt, wireId, ended, newTimer);
  }
}
