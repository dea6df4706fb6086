package io.citybrain.api.escalate;

import io.citybrain.api.db.Rows;
import io.citybrain.api.work.WorkKind;
import io.citybrain.proto.Severities;
import io.citybrain.seeds.Escalation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Raised alerts nobody acknowledged within their (effective) severity's deadline: one severity up,
 * capped at critical, and one level up the chain, at most the seeds' {@code max_level}; the
 * deadline starts again from the escalation. The job's {@code severity} is never written: the API's
 * is {@code escalated_severity}.
 */
final class AlertEscalation implements Step {
  private final Escalation policy;
  private final int batch;

  AlertEscalation(Escalation policy, int batch) {
    this.policy = policy;
    this.batch = batch;
  }

  @Override
  public String name() {
    return "alert escalation";
  }

  @Override
  public List<Change> run(Connection c, Instant now) throws SQLException {
    List<String[]> due = new ArrayList<>();
    StringBuilder deadline = new StringBuilder("CASE coalesce(escalated_severity, severity)");
    List<Object> params = new ArrayList<>();
    params.add(policy.maxLevel());
    for (String severity : Severities.WORDS) {
      deadline.append(" WHEN '").append(severity).append("' THEN make_interval(secs => ?)");
      params.add((double) policy.acknowledgeWithin(severity).toMillis() / 1000);
    }
    deadline.append(" END");
    params.add(now);
    params.add(batch);
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT alert_id, coalesce(escalated_severity, severity), escalation_level FROM alert
        WHERE state = 'raised' AND handling = 'new' AND escalation_level < ? AND suppressed_by IS NULL
          AND coalesce(escalated_at, raised_at) + %s <= ?
        ORDER BY raised_at LIMIT ? FOR NO KEY UPDATE SKIP LOCKED"""
                        .formatted(deadline)),
                params.toArray());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        due.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
      }
    }
    List<Change> changes = new ArrayList<>();
    for (String[] alert : due) {
      String from = alert[1];
      int level = Integer.parseInt(alert[2]);
      String to =
          Severities.WORDS.get(Math.min(Severities.rank(from), Severities.WORDS.size() - 1));
      String district;
      // Compare-and-set on the level as well as the lock: a second scan never escalates twice.
      try (PreparedStatement ps =
              Rows.bind(
                  c.prepareStatement(
                      """
          UPDATE alert SET escalated_severity = ?, escalation_level = escalation_level + 1, escalated_at = ?
          WHERE alert_id = ? AND escalation_level = ? AND handling = 'new' RETURNING district"""),
                  to,
                  now,
                  alert[0],
                  level);
          ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          continue;
        }
        district = rs.getString(1);
      }
      SystemEvents.record(
          c,
          WorkKind.ALERT.word(),
          alert[0],
          district,
          "escalated",
          from,
          to,
          "level "
              + (level + 1)
              + ": not acknowledged within "
              + SystemEvents.words(policy.acknowledgeWithin(from)));
      changes.add(SystemEvents.change(c, WorkKind.ALERT, alert[0], "escalated"));
    }
    return changes;
  }
}
