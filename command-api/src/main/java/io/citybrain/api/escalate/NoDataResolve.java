package io.citybrain.api.escalate;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.db.Rows;
import io.citybrain.api.work.WorkKind;
import io.citybrain.proto.AlertHandling;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A raised alert nobody resolved whose metric has sent its district no 10 s window for the bound
 * (the newest window's write time, or the raise when there is none) is resolved by the system with
 * the note "no data", not left open forever. The job's raised/cleared stays the job's.
 */
final class NoDataResolve implements Step {
  static final String NOTE = "no data";

  /** The live windows: a metric that reports has a new one every 10 s. */
  private static final int LIVE_RESOLUTION_S = 10;

  private final Duration bound;
  private final int batch;

  NoDataResolve(Duration bound, int batch) {
    this.bound = bound;
    this.batch = batch;
  }

  @Override
  public String name() {
    return "no-data resolve";
  }

  @Override
  public List<Change> run(Connection c, Instant now) throws SQLException {
    List<String[]> due = new ArrayList<>();
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT a.alert_id, a.district, a.handling, a.metric FROM alert a
        LEFT JOIN LATERAL (
          SELECT m.updated_at FROM district_metric m
          WHERE m.district = a.district AND m.metric = a.metric AND m.resolution_s = ?
          ORDER BY m.window_start DESC LIMIT 1) latest ON true
        WHERE a.state = 'raised' AND a.handling <> 'resolved'
          AND greatest(latest.updated_at, a.raised_at) + make_interval(secs => ?) <= ?
        ORDER BY a.raised_at LIMIT ? FOR NO KEY UPDATE OF a SKIP LOCKED"""),
                LIVE_RESOLUTION_S,
                (double) bound.toSeconds(),
                now,
                batch);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        due.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
      }
    }
    List<Change> changes = new ArrayList<>();
    String resolved = AlertHandling.RESOLVED.word();
    for (String[] alert : due) {
      try (PreparedStatement ps =
          Rows.bind(
              c.prepareStatement(
                  """
          UPDATE alert SET handling = ?, resolved_by = ?, resolved_at = ?
          WHERE alert_id = ? AND handling <> ?"""),
              resolved,
              SystemEvents.ACTOR,
              now,
              alert[0],
              resolved)) {
        if (ps.executeUpdate() == 0) {
          continue;
        }
      }
      SystemEvents.record(
          c, WorkKind.ALERT.word(), alert[0], alert[1], "transition", alert[2], resolved, NOTE);
      AuditLog.append(
          c,
          new AuditLog.Entry(
              SystemEvents.ACTOR,
              "transition_alert",
              alert[0],
              alert[1],
              null,
              "allowed",
              new JsonObject()
                  .put("from", alert[2])
                  .put("to", resolved)
                  .put("reason", "no " + alert[3] + " data for " + SystemEvents.words(bound))));
      changes.add(SystemEvents.change(c, WorkKind.ALERT, alert[0], "transition"));
    }
    return changes;
  }
}
