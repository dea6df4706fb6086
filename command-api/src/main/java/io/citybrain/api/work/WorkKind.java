package io.citybrain.api.work;

import io.citybrain.api.http.Role;
import io.citybrain.proto.AlertHandling;
import io.citybrain.proto.IncidentState;
import io.citybrain.proto.TaskState;
import java.util.List;

/**
 * The three things people carry to done from the wall, each with its table, its lifecycle and the
 * states whose actor and time are stamped on the row.
 */
public enum WorkKind {
  ALERT(
      "alert",
      """
      SELECT alert_id, rule_id, district, metric, severity, state, handling, value, threshold, raised_at,
             cleared_at, clear_value, acknowledged_by, acknowledged_at, assignee, assigned_at, resolved_by,
             resolved_at, coalesce(escalated_severity, severity) AS effective_severity, escalation_level,
             escalated_at, last_reminded_at
      FROM alert WHERE alert_id = ?""",
      "UPDATE alert SET handling = ?%s WHERE alert_id = ?",
      "handling",
      Workflow.of(AlertHandling.class)
          .from(AlertHandling.NEW, AlertHandling.ACKNOWLEDGED, AlertHandling.RESOLVED)
          .from(AlertHandling.ACKNOWLEDGED, AlertHandling.RESOLVED)
          .build(),
      List.of("acknowledged", "resolved")),
  INCIDENT(
      "incident",
      """
      SELECT incident_id, pattern_id, district, severity, state, started_at, detected_at, summary, evidence,
             response_plan_id, alert_ids, acknowledged_by, acknowledged_at, resolved_by, resolved_at, closed_by,
             closed_at
      FROM incident WHERE incident_id = ?""",
      "UPDATE incident SET state = ?%s WHERE incident_id = ?",
      "state",
      Workflow.of(IncidentState.class)
          .from(IncidentState.OPEN, IncidentState.ACKNOWLEDGED, IncidentState.RESOLVED)
          .from(IncidentState.ACKNOWLEDGED, IncidentState.RESOLVED)
          .from(IncidentState.RESPONDING, IncidentState.RESOLVED)
          // A resolved incident that flares up again goes back to someone's hands.
          .from(IncidentState.RESOLVED, IncidentState.CLOSED, IncidentState.ACKNOWLEDGED)
          .build(),
      List.of("acknowledged", "resolved", "closed")),
  TASK(
      "task",
      """
      SELECT t.task_id, t.run_id, r.district, r.incident_id, t.department, t.task, t.state, t.created_at,
             t.updated_at, t.due_at, t.overdue_at, t.escalation_level
      FROM department_task t JOIN plan_run r ON r.run_id = t.run_id WHERE t.task_id = ?""",
      "UPDATE department_task SET state = ?, updated_at = now()%s WHERE task_id = ?",
      "state",
      Workflow.of(TaskState.class)
          .from(TaskState.ASSIGNED, TaskState.ACCEPTED)
          .from(TaskState.ACCEPTED, TaskState.IN_PROGRESS)
          .from(TaskState.IN_PROGRESS, TaskState.DONE, TaskState.FAILED)
          .build(),
      List.of());

  private final String word;
  private final String select;
  private final String update;
  private final String stateColumn;
  private final Workflow<?> flow;
  private final List<String> stamped;

  WorkKind(
      String word,
      String select,
      String update,
      String stateColumn,
      Workflow<?> flow,
      List<String> stamped) {
    this.word = word;
    this.select = select;
    this.update = update;
    this.stateColumn = stateColumn;
    this.flow = flow;
    this.stamped = stamped;
  }

  /** As stored in {@code work_event.kind} and sent in live frames. */
  public String word() {
    return word;
  }

  /** The item by its id. */
  String select() {
    return select;
  }

  /** The item by its id, locked for a move in this transaction. */
  String lock() {
    // NO KEY: a plan_run insert's foreign key check holds KEY SHARE on the incident meanwhile.
    return select + (this == TASK ? " FOR NO KEY UPDATE OF t" : " FOR NO KEY UPDATE");
  }

  /** The move of the item to a state: the state, then (for stamped states) actor, then the id. */
  String update(String to) {
    String stamp = stamps(to) ? ", %1$s_by = ?, %1$s_at = now()".formatted(to) : "";
    // A reopened incident is no longer resolved: its resolution stamp goes.
    String unstamp =
        this == INCIDENT && IncidentState.ACKNOWLEDGED.word().equals(to)
            ? ", resolved_by = NULL, resolved_at = NULL"
            : "";
    return update.formatted(stamp + unstamp);
  }

  /** Whether moving to {@code to} records who did it and when on the row. */
  boolean stamps(String to) {
    return stamped.contains(to);
  }

  String stateColumn() {
    return stateColumn;
  }

  public Workflow<?> flow() {
    return flow;
  }

  /** Who may move the item to {@code to}: closing an incident is a coordinator's act. */
  Role roleFor(String to) {
    return this == INCIDENT && IncidentState.CLOSED.word().equals(to)
        ? Role.COORDINATOR
        : Role.OPERATOR;
  }
}
