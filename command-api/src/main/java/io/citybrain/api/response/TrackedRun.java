package io.citybrain.api.response;

import io.citybrain.proto.CommandState;
import io.citybrain.proto.RunState;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where one run stands: its targets, its cancel commands, every wire id it has sent, the last
 * progress sequence number: immutable, {@link DispatchMachine} makes the next one.
 *
 * @param targets the plan's commands in plan order (what the run's counts and state are made of)
 * @param cancels the cancel commands sent when the run was cancelled, in the same order
 * @param wireIds every wire id sent, earlier attempts included, to the command id it belongs to
 * @param seq the last progress event's sequence number
 */
record TrackedRun(
    RunPlan plan,
    Map<String, TrackedCommand> targets,
    Map<String, TrackedCommand> cancels,
    Map<String, String> wireIds,
    long seq,
    boolean cancelled,
    RunState state) {

  TrackedRun {
    targets = frozen(targets);
    cancels = frozen(cancels);
    wireIds = frozen(wireIds);
  }

  /** A stored run about to start: every target pending. */
  static TrackedRun of(RunPlan plan) {
    Map<String, TrackedCommand> targets = new LinkedHashMap<>();
    plan.items().forEach(item -> targets.put(item.commandId(), TrackedCommand.target(item)));
    return new TrackedRun(plan, targets, Map.of(), Map.of(), 0, false, RunState.RUNNING);
  }

  String runId() {
    return plan.runId();
  }

  boolean running() {
    return state == RunState.RUNNING;
  }

  /** Running or cancelling: devices still to hear from. */
  boolean active() {
    return state == RunState.RUNNING || state == RunState.CANCELLING;
  }

  /** Finished, and no cancel command is waiting for its ack: nothing left to track. */
  boolean settled() {
    return !active() && cancels.values().stream().allMatch(TrackedCommand::ended);
  }

  /** A target or a cancel command; null when the run has no such command. */
  TrackedCommand command(String commandId) {
    TrackedCommand target = targets.get(commandId);
    return target != null ? target : cancels.get(commandId);
  }

  /** The targets per state, every state present (cancel commands are not targets). */
  Map<CommandState, Integer> counts() {
    Map<CommandState, Integer> counts = new EnumMap<>(CommandState.class);
    for (CommandState s : CommandState.values()) {
      counts.put(s, 0);
    }
    targets.values().forEach(t -> counts.merge(t.state(), 1, Integer::sum));
    return Collections.unmodifiableMap(counts);
  }

  private static <V> Map<String, V> frozen(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
