package io.citybrain.api.escalate;

import io.citybrain.api.db.Rows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Grid cases not yet resolved past their SLA's due time: overdue once, one level up. The case's own
 * lifecycle (CaseStore) is not touched: the mark is beside it.
 */
final class OverdueCases implements Step {
  /** The states of a case still waiting for its department. */
  static final String OPEN = "('discovered', 'dispatched', 'handling', 'reopened')";

  private final int batch;

  OverdueCases(int batch) {
    this.batch = batch;
  }

  @Override
  public String name() {
    return "overdue cases";
  }

  @Override
  public List<Change> run(Connection c, Instant now) throws SQLException {
    List<String[]> due = new ArrayList<>();
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT case_id, district, state, department, due_at FROM grid_case
        WHERE state IN %s AND overdue_at IS NULL AND due_at <= ?
        ORDER BY due_at LIMIT ? FOR NO KEY UPDATE SKIP LOCKED"""
                        .formatted(OPEN)),
                now,
                batch);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        due.add(
            new String[] {
              rs.getString(1),
              rs.getString(2),
              rs.getString(3),
              rs.getString(4),
              rs.getTimestamp(5).toInstant().toString()
            });
      }
    }
    List<Change> changes = new ArrayList<>();
    for (String[] kase : due) {
      try (PreparedStatement ps =
          Rows.bind(
              c.prepareStatement(
                  """
          UPDATE grid_case SET overdue_at = ?, escalation_level = escalation_level + 1
          WHERE case_id = ? AND overdue_at IS NULL"""),
              now,
              kase[0])) {
        if (ps.executeUpdate() == 0) {
          continue;
        }
      }
      SystemEvents.record(
          c,
          SystemEvents.CASE,
          kase[0],
          kase[1],
          "overdue",
          kase[2],
          kase[2],
          "department:" + kase[3] + ": due at " + kase[4]);
      changes.add(SystemEvents.caseChange(c, kase[0], "overdue"));
    }
    return changes;
  }
}
