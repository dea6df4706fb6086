package io.citybrain.api.work;

import io.citybrain.api.db.Rows;
import io.vertx.core.json.JsonArray;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * An incident's story in one ordered list: its detection and evidence, its alerts raised, handled
 * and cleared, its state changes and comments, its runs with every command's states and the
 * department tasks' moves. Entries of one instant keep the order of the list below.
 */
final class IncidentTimeline {
  /** Each entry: when, what, the item it is about, who (people's acts), and a line of detail. */
  private static final String SQL =
      """
      WITH inc AS (SELECT * FROM incident WHERE incident_id = ?),
           runs AS (SELECT * FROM plan_run WHERE incident_id = ?)
      SELECT at, type, ref, actor, detail FROM (
        SELECT detected_at AS at, 1 AS n, 'detected' AS type, incident_id AS ref, NULL AS actor, summary AS detail
        FROM inc
        UNION ALL
        SELECT (e ->> 'event_time')::timestamptz, 0, 'evidence', e ->> 'device_id', NULL,
               concat_ws(' ', e ->> 'kind', e ->> 'what', e ->> 'value')
        FROM inc, jsonb_array_elements(inc.evidence) e
        UNION ALL
        SELECT a.raised_at, 0, 'alert_raised', a.alert_id, NULL,
               a.metric || ' ' || a.value || ' over ' || a.threshold
        FROM alert a JOIN inc ON a.alert_id = ANY (inc.alert_ids)
        UNION ALL
        SELECT a.cleared_at, 9, 'alert_cleared', a.alert_id, NULL, a.metric || ' ' || a.clear_value
        FROM alert a JOIN inc ON a.alert_id = ANY (inc.alert_ids) WHERE a.cleared_at IS NOT NULL
        UNION ALL
        SELECT w.at, 2, CASE w.kind WHEN 'alert' THEN 'alert_' ELSE '' END
                        || CASE w.action WHEN 'transition' THEN 'state' ELSE w.action END,
               w.item_id, w.actor,
               concat_ws(': ', CASE WHEN w.action = 'transition' THEN w.from_state || ' -> ' || w.to_state END,
                         w.note)
        FROM work_event w, inc
        WHERE (w.kind = 'incident' AND w.item_id = inc.incident_id)
           OR (w.kind = 'alert' AND w.item_id = ANY (inc.alert_ids))
        UNION ALL
        SELECT r.created_at, 3, 'run_started', r.run_id, r.actor, r.plan_id FROM runs r
        UNION ALL
        SELECT r.decided_at, 3, 'run_decided', r.run_id, r.decided_by,
               concat_ws(': ', CASE r.state WHEN 'rejected' THEN 'rejected' ELSE 'approved' END, r.decision_reason)
        FROM runs r WHERE r.decided_at IS NOT NULL
        UNION ALL
        SELECT t.created_at, 4, 'task_assigned', t.task_id, NULL, t.department || ': ' || t.task
        FROM department_task t JOIN runs r ON r.run_id = t.run_id
        UNION ALL
        SELECT w.at, 5, 'task', w.item_id, w.actor,
               concat_ws(': ', w.from_state || ' -> ' || w.to_state, w.note)
        FROM work_event w JOIN department_task t ON t.task_id = w.item_id JOIN runs r ON r.run_id = t.run_id
        WHERE w.kind = 'task'
        UNION ALL
        SELECT ce.at, 6, 'command', c.command_id, NULL,
               c.device_id || ' ' || c.action || ': ' || ce.state || coalesce(' (' || ce.detail || ')', '')
        FROM command_event ce JOIN command c ON c.command_id = ce.command_id JOIN runs r ON r.run_id = c.run_id
        UNION ALL
        SELECT r.finished_at, 7, 'run_finished', r.run_id, NULL, r.state FROM runs r WHERE r.finished_at IS NOT NULL
      ) entries
      WHERE at IS NOT NULL
      ORDER BY at, n, ref
      LIMIT ?""";

  private IncidentTimeline() {}

  /** The first {@code limit} entries, oldest first. */
  static JsonArray of(Connection c, String incidentId, int limit) throws SQLException {
    try (PreparedStatement ps = Rows.bind(c.prepareStatement(SQL), incidentId, incidentId, limit);
        ResultSet rs = ps.executeQuery()) {
      return new JsonArray(Rows.all(rs));
    }
  }
}
