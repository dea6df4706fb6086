package io.citybrain.seeds;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;

/**
 * How unhandled work escalates (alert-rules.yaml, {@code escalation}): the acknowledge deadline per
 * severity, how often an assignee is reminded, how many levels an alert climbs, the default SLA of
 * a plan's task and when an alert whose metric stopped reporting is resolved as "no data".
 * Durations as people write them (5m, 2h; see {@link Durations}).
 */
public record Escalation(
    Map<String, String> acknowledgeWithin,
    String remindEvery,
    Integer maxLevel,
    Integer taskSlaMinutes,
    String resolveWithoutDataAfter)
    implements Serializable {

  public Escalation {
    acknowledgeWithin = acknowledgeWithin == null ? Map.of() : Map.copyOf(acknowledgeWithin);
  }

  /** The acknowledge deadline of a severity (validated: every severity has one). */
  public Duration acknowledgeWithin(String severity) {
    return Durations.parse(acknowledgeWithin.get(severity));
  }

  public Duration reminderInterval() {
    return Durations.parse(remindEvery);
  }

  public Duration noDataAfter() {
    return Durations.parse(resolveWithoutDataAfter);
  }

  /** A task's SLA: its own {@code sla_minutes}, else the default. */
  public Duration taskSla(ResponsePlan.PlanTask task) {
    return Duration.ofMinutes(task.slaMinutes() != null ? task.slaMinutes() : taskSlaMinutes);
  }

  public Duration defaultTaskSla() {
    return Duration.ofMinutes(taskSlaMinutes);
  }
}
