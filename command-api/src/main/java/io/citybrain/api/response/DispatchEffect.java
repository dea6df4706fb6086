package io.citybrain.api.response;

import io.citybrain.proto.CommandState;
import io.citybrain.proto.RunState;
import io.citybrain.proto.v1.Command;
import java.time.Instant;
import java.util.Map;

/**
 * What {@link DispatchMachine} asks the world to do, as values; {@link ResponseDispatcher} carries
 * them out in the order given (database writes go on one ordered queue, so their order is the order
 * here).
 */
sealed interface DispatchEffect {

  /**
   * Publish one attempt (QoS 1, never retained) on {@code topic} with MQTT 5 Message Expiry: the
   * broker drops it if undelivered by the deadline, so a reconnecting device does not run a stale
   * command (the device checks {@code expires_at_ms} as well).
   */
  record Publish(String commandId, String wireId, String topic, Command command, long expirySeconds)
      implements DispatchEffect {}

  /** Start the ack timer of an attempt: {@link DispatchEvent.AckTimeout} when it runs out. */
  record ScheduleAckTimeout(String commandId, String wireId, long delayMs)
      implements DispatchEffect {}

  /** Start the backoff before a retry: {@link DispatchEvent.RetryDue} when it runs out. */
  record ScheduleRetry(String commandId, int attempt, long delayMs) implements DispatchEffect {}

  /** Stop the command's pending timer (ack timeout or backoff). */
  record CancelTimer(String commandId) implements DispatchEffect {}

  /**
   * Store a command's new state with an event saying why ({@code command}, {@code command_event}).
   */
  record RecordCommand(String commandId, CommandState state, int attempts, String detail)
      implements DispatchEffect {}

  /** Store a cancel command (state sent, attempt 1) beside the run's other commands. */
  record InsertCancel(
      String commandId,
      String runId,
      String deviceId,
      String district,
      String cancels,
      long issuedAtMs,
      long expiresAtMs)
      implements DispatchEffect {}

  /** Push a {@code command_progress} event to the district's live subscribers. */
  record CommandProgress(
      String district,
      String runId,
      long seq,
      String commandId,
      String deviceId,
      String action,
      CommandState state,
      int attempt,
      boolean ends,
      String detail,
      Instant at)
      implements DispatchEffect {}

  /** Push a {@code run_progress} event: the run's state and its targets' counts per state. */
  record RunProgress(
      String district,
      String runId,
      long seq,
      RunState state,
      int total,
      Map<CommandState, Integer> counts,
      Instant at)
      implements DispatchEffect {}

  /** Store a state the run is in without being over (cancelling). */
  record MarkRun(String runId, RunState state) implements DispatchEffect {}

  /** Store the run's final state. */
  record FinishRun(String runId, RunState state) implements DispatchEffect {}

  /** Count an ack that changes nothing. */
  record CountStaleAck(String wireId, Why why) implements DispatchEffect {

    /** Why an ack is stale. */
    enum Why {
      /** No tracked command has this wire id: another process's, or a run no longer tracked. */
      UNKNOWN_COMMAND,
      /** Not on the target device's own ack topic. */
      NOT_FROM_TARGET,
      /** An earlier attempt answering after its retry went out. */
      EARLIER_ATTEMPT,
      /** The command is final already. */
      AFTER_THE_END,
      /** No status. */
      NO_STATUS
    }
  }
}
