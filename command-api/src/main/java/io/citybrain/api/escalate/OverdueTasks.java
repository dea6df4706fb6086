package io.citybrain.api.escalate;

import io.citybrain.api.db.Rows;
import io.citybrain.api.work.WorkKind;
import io.citybrain.seeds.Escalation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Department tasks not done, failed or cancelled past their due time: overdue once (one level up),
 * then the department is reminded every {@code remind_every} after the last move, overdue mark or
 * reminder. A task stored before due times existed is due its default SLA after it was created.
 */
final class OverdueTasks implements Step {
  /** The unfinished tasks' due time. */
  static final String DUE = "coalesce(t.due_at, t.created_at + make_interval(secs => ?))";

  private final Escalation policy;
  private final int batch;

  OverdueTasks(Escalation policy, int batch) {
    this.policy = policy;
    this.batch = batch;
  }

  @Override
  public String name() {
    return "overdue tasks";
  }

  @Override
  public List<Change> run(Connection c, Instant now) throws SQLException {
    double defaultSla = policy.defaultTaskSla().toSeconds();
    double remind = policy.reminderInterval().toSeconds();
    List<Object[]> due = new ArrayList<>();
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT t.task_id, r.district, t.state, t.department, t.overdue_at, %1$s
        FROM department_task t JOIN plan_run r ON r.run_id = t.run_id
        WHERE t.state IN ('assigned', 'accepted', 'in_progress') AND %1$s <= ?
          AND (t.overdue_at IS NULL
               OR greatest(t.overdue_at, t.last_reminded_at, t.updated_at) + make_interval(secs => ?) <= ?)
        ORDER BY t.created_at LIMIT ? FOR NO KEY UPDATE OF t SKIP LOCKED"""
                        .formatted(DUE)),
                defaultSla,
                defaultSla,
                now,
                remind,
                now,
                batch);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        due.add(
            new Object[] {
              rs.getString(1),
              rs.getString(2),
              rs.getString(3),
              rs.getString(4),
              rs.getTimestamp(5),
              rs.getTimestamp(6)
            });
      }
    }
    List<Change> changes = new ArrayList<>();
    for (Object[] task : due) {
      String id = (String) task[0];
      String state = (String) task[2];
      boolean first = task[4] == null;
      String sql =
          first
              ? "UPDATE department_task SET overdue_at = ?, escalation_level = escalation_level + 1"
                  + " WHERE task_id = ? AND overdue_at IS NULL"
              : "UPDATE department_task SET last_reminded_at = ? WHERE task_id = ?";
      try (PreparedStatement ps = Rows.bind(c.prepareStatement(sql), now, id)) {
        if (ps.executeUpdate() == 0) {
          continue;
        }
      }
      String dueAt = ((Timestamp) task[5]).toInstant().toString();
      SystemEvents.record(
          c,
          WorkKind.TASK.word(),
          id,
          (String) task[1],
          first ? "overdue" : "reminded",
          state,
          state,
          first
              ? "department:" + task[3] + ": due at " + dueAt
              : "department:" + task[3] + ": overdue since " + dueAt);
      changes.add(SystemEvents.change(c, WorkKind.TASK, id, first ? "overdue" : "reminded"));
    }
    return changes;
  }
}
