package io.citybrain.api.escalate;

import io.citybrain.api.db.Rows;
import io.citybrain.api.work.WorkKind;
import io.citybrain.seeds.Escalation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Assigned alerts not yet resolved: the assignee is reminded once every {@code remind_every} after
 * the last thing done about the alert (assigned, acknowledged, or the last reminder), until someone
 * resolves it.
 */
final class AlertReminders implements Step {
  private final Escalation policy;
  private final int batch;

  AlertReminders(Escalation policy, int batch) {
    this.policy = policy;
    this.batch = batch;
  }

  @Override
  public String name() {
    return "alert reminders";
  }

  @Override
  public List<Change> run(Connection c, Instant now) throws SQLException {
    List<String[]> due = new ArrayList<>();
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT alert_id, district, handling, assignee FROM alert
        WHERE assignee IS NOT NULL AND handling <> 'resolved'
          AND greatest(assigned_at, acknowledged_at, last_reminded_at) + make_interval(secs => ?) <= ?
        ORDER BY alert_id LIMIT ? FOR NO KEY UPDATE SKIP LOCKED"""),
                (double) policy.reminderInterval().toSeconds(),
                now,
                batch);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        due.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
      }
    }
    List<Change> changes = new ArrayList<>();
    for (String[] alert : due) {
      try (PreparedStatement ps =
          Rows.bind(
              c.prepareStatement("UPDATE alert SET last_reminded_at = ? WHERE alert_id = ?"),
              now,
              alert[0])) {
        ps.executeUpdate();
      }
      SystemEvents.record(
          c,
          WorkKind.ALERT.word(),
          alert[0],
          alert[1],
          "reminded",
          alert[2],
          alert[2],
          alert[3]
              + ": not resolved, nothing done for "
              + SystemEvents.words(policy.reminderInterval()));
      changes.add(SystemEvents.change(c, WorkKind.ALERT, alert[0], "reminded"));
    }
    return changes;
  }
}
