package io.citybrain.api.response;

import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.work.WorkKind;
import io.citybrain.api.work.WorkStore;
import io.citybrain.proto.CommandState;
import io.citybrain.proto.IncidentState;
import io.citybrain.proto.RunState;
import io.citybrain.proto.TaskState;
import io.citybrain.proto.Word;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plan runs, their commands and department tasks in PostgreSQL. Blocking: call on the database
 * workers.
 */
public final class ResponseStore {

  static final List<String> STATES = Word.words(CommandState.class);

  /** The action of a command that cancels another; not a target of the plan. */
  static final String CANCEL = "cancel";

  private ResponseStore() {}

  /** Where an incident is and which plan it suggests. */
  public record IncidentRef(
      String incidentId, String district, String planId, Double lat, Double lon) {}

  public static Optional<IncidentRef> incident(Connection c, String incidentId)
      throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT district, response_plan_id, evidence FROM incident WHERE incident_id = ?"),
                incidentId);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      Double lat = null;
      Double lon = null;
      // The first evidence with a position locates the incident (the first matched signal).
      for (Object item : new JsonArray(rs.getString(3))) {
        if (item instanceof JsonObject e
            && e.getValue("lat") instanceof Number
            && e.getValue("lon") instanceof Number) {
          lat = e.getDouble("lat");
          lon = e.getDouble("lon");
          break;
        }
      }
      return Optional.of(new IncidentRef(incidentId, rs.getString(1), rs.getString(2), lat, lon));
    }
  }

  public static List<PlanTargets.Actuator> actuators(Connection c, String district)
      throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT device_id, kind, lat, lon FROM device WHERE district = ? AND device_class = 'actuator'"),
                district);
        ResultSet rs = ps.executeQuery()) {
      List<PlanTargets.Actuator> out = new ArrayList<>();
      while (rs.next()) {
        out.add(
            new PlanTargets.Actuator(
                rs.getString(1), rs.getString(2), rs.getDouble(3), rs.getDouble(4)));
      }
      return out;
    }
  }

  /** A run an earlier request of the same caller started, and the hash of that request. */
  public record PriorRun(String runId, String requestHash) {}

  /** The run this caller's request id started, if any: request ids are scoped to their caller. */
  public static Optional<PriorRun> runByRequestId(Connection c, String actor, String requestId)
      throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT run_id, request_hash FROM plan_run WHERE actor = ? AND request_id = ?"),
                actor,
                requestId);
        ResultSet rs = ps.executeQuery()) {
      return rs.next()
          ? Optional.of(new PriorRun(rs.getString(1), rs.getString(2)))
          : Optional.empty();
    }
  }

  /**
   * Inserts the run unless the caller's request id exists already; false when it did (a repeated
   * trigger). Each task is {department, task, SLA in minutes}: it is due that long from now.
   */
  public static boolean insertRun(
      Connection c,
      RunPlan run,
      String requestId,
      String requestHash,
      String actor,
      String incidentId,
      List<String[]> tasks,
      RunState state)
      throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        INSERT INTO plan_run (run_id, plan_id, incident_id, district, request_id, request_hash, actor, state,
                              started_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN now() END) ON CONFLICT (actor, request_id) DO NOTHING"""),
            run.runId(),
            run.planId(),
            incidentId,
            run.district(),
            requestId,
            requestHash,
            actor,
            state.word(),
            state == RunState.RUNNING)) {
      if (ps.executeUpdate() == 0) {
        return false;
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        INSERT INTO command (command_id, run_id, device_id, district, action, params, state, attempts, issued_at,
                             expires_at)
        VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, 0, ?, ?)""")) {
      for (RunPlan.Item item : run.items()) {
        Rows.bind(
            ps,
            item.commandId(),
            run.runId(),
            item.deviceId(),
            run.district(),
            item.action(),
            new JsonObject(Map.copyOf(item.params())).encode(),
            CommandState.PENDING.word(),
            Instant.ofEpochMilli(run.issuedAtMs()),
            Instant.ofEpochMilli(run.expiresAtMs()));
        ps.addBatch();
      }
      ps.executeBatch();
    }
    if (state == RunState.AWAITING_APPROVAL) {
      // Nothing is asked of anyone (departments, the incident) until a second coordinator approves.
      return true;
    }
    begin(c, run.runId(), run.district(), run.planId(), actor, incidentId, tasks);
    return true;
  }

  /**
   * What a run asks of people once it is on (at once, or when approved): its department tasks, due
   * their SLA from now, and its incident responding.
   */
  public static void begin(
      Connection c,
      String runId,
      String district,
      String planId,
      String actor,
      String incidentId,
      List<String[]> tasks)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            """
            INSERT INTO department_task (task_id, run_id, department, task, state, due_at)
            VALUES (?, ?, ?, ?, ?, now() + make_interval(mins => ?))""")) {
      int n = 0;
      for (String[] task : tasks) {
        Rows.bind(
            ps,
            runId + "-t" + (++n),
            runId,
            task[0],
            task[1],
            TaskState.ASSIGNED.word(),
            Integer.parseInt(task[2]));
        ps.addBatch();
      }
      ps.executeBatch();
    }
    if (incidentId != null) {
      respond(c, incidentId, actor, runId, district, planId);
    }
  }

  /** An open or acknowledged incident is being responded to once a plan runs for it. */
  private static void respond(
      Connection c, String incidentId, String actor, String runId, String district, String planId)
      throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        UPDATE incident i SET state = ? FROM (SELECT state FROM incident WHERE incident_id = ? FOR NO KEY UPDATE) prior
        WHERE i.incident_id = ? AND i.state IN (?, ?) RETURNING prior.state"""),
                IncidentState.RESPONDING.word(),
                incidentId,
                incidentId,
                IncidentState.OPEN.word(),
                IncidentState.ACKNOWLEDGED.word());
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        WorkStore.record(
            c,
            new WorkStore.Event(
                WorkKind.INCIDENT,
                incidentId,
                district,
                "transition",
                rs.getString(1),
                IncidentState.RESPONDING.word(),
                actor,
                "plan " + planId + " triggered: run " + runId));
      }
    }
  }

  /**
   * A command's new state, whether it is final (no further attempt), and the event that records it.
   */
  public static void recordCommand(
      Connection c, String commandId, String state, int attempts, String detail, boolean ended)
      throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "UPDATE command SET state = ?, attempts = ?, detail = ?, final = ?, updated_at = now() WHERE command_id = ?"),
            state,
            attempts,
            detail,
            ended,
            commandId)) {
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "INSERT INTO command_event (command_id, state, detail) VALUES (?, ?, ?)"),
            commandId,
            state,
            "attempt " + attempts + (detail == null || detail.isEmpty() ? "" : ": " + detail))) {
      ps.executeUpdate();
    }
  }

  /** A cancel command, recorded like any other command of the run. */
  public static void insertCancel(
      Connection c,
      String commandId,
      String runId,
      String deviceId,
      String district,
      String cancels,
      long issuedAtMs,
      long expiresAtMs)
      throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        INSERT INTO command (command_id, run_id, device_id, district, action, params, state, attempts, issued_at,
                             expires_at)
        VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, 1, ?, ?) ON CONFLICT (command_id) DO NOTHING"""),
            commandId,
            runId,
            deviceId,
            district,
            CANCEL,
            new JsonObject().put("cancels_command_id", cancels).encode(),
            CommandState.SENT.word(),
            Instant.ofEpochMilli(issuedAtMs),
            Instant.ofEpochMilli(expiresAtMs))) {
      ps.executeUpdate();
    }
  }

  /**
   * An attempt as it went out: the digest its ack must name, when it was sent and when it expires
   * (what a process resuming the run needs; a repeated write changes nothing).
   */
  public static void recordAttempt(
      Connection c, String commandId, int attempt, byte[] digest, long sentAtMs, long expiresAtMs)
      throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        INSERT INTO command_attempt (command_id, attempt, digest, sent_at, expires_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (command_id, attempt) DO NOTHING"""),
            commandId,
            attempt,
            digest,
            Instant.ofEpochMilli(sentAtMs),
            Instant.ofEpochMilli(expiresAtMs))) {
      ps.executeUpdate();
    }
  }

  /** A cancel asked of a process that does not track the run: the leader carries it out. */
  public static void requestCancel(Connection c, String runId) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "UPDATE plan_run SET cancel_requested_at = coalesce(cancel_requested_at, now()) WHERE run_id = ? AND state = ?"),
            runId,
            RunState.RUNNING.word())) {
      ps.executeUpdate();
    }
  }

  /**
   * An ack as a process that is not the leader received it, for the leader to apply; refused
   * (false) when {@code perTopic} acks of its topic already wait.
   */
  public static boolean storeAck(Connection c, String topic, byte[] payload, int perTopic)
      throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        INSERT INTO command_ack_inbox (topic, payload) SELECT ?, ?
        WHERE (SELECT count(*) FROM command_ack_inbox WHERE topic = ?) < ?"""),
            topic,
            payload,
            topic,
            perTopic)) {
      return ps.executeUpdate() == 1;
    }
  }

  /** A stored ack: the topic it came on, its bytes. */
  public record StoredAck(String topic, byte[] payload) {}

  /** Takes (deletes and returns) up to {@code limit} stored acks, oldest first. */
  public static List<StoredAck> takeAcks(Connection c, int limit) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        WITH taken AS (
          DELETE FROM command_ack_inbox
          WHERE id IN (SELECT id FROM command_ack_inbox ORDER BY id LIMIT ?)
          RETURNING id, topic, payload)
        SELECT topic, payload FROM taken ORDER BY id"""),
            limit)) {
      List<StoredAck> acks = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          acks.add(new StoredAck(rs.getString(1), rs.getBytes(2)));
        }
      }
      return acks;
    }
  }

  /** A run's district, actor, state, plan and incident, locked for a decision; null if unknown. */
  public static JsonObject lockRun(Connection c, String runId) throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT district, actor, state, plan_id, incident_id FROM plan_run WHERE run_id = ? FOR UPDATE"),
                runId);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Rows.one(rs) : null;
    }
  }

  /** Records who decided on a run awaiting approval, its next state and why. */
  public static void decided(
      Connection c, String runId, RunState state, String actor, String reason) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "UPDATE plan_run SET state = ?, decided_by = ?, decided_at = now(), decision_reason = ? WHERE run_id = ?"),
            state.word(),
            actor,
            reason,
            runId)) {
      ps.executeUpdate();
    }
  }

  /** A run's state while it is not over (running to cancelling). */
  public static void markRun(Connection c, String runId, String state) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "UPDATE plan_run SET state = ? WHERE run_id = ? AND finished_at IS NULL"),
            state,
            runId)) {
      ps.executeUpdate();
    }
  }

  /** Ends a run; a cancelled run cancels its department tasks that are not finished. */
  public static void finishRun(Connection c, String runId, String state) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "UPDATE plan_run SET state = ?, finished_at = now() WHERE run_id = ?"),
            state,
            runId)) {
      ps.executeUpdate();
    }
    if (RunState.CANCELLED.word().equals(state)) {
      cancelOpenTasks(c, runId);
    }
  }

  private static void cancelOpenTasks(Connection c, String runId) throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        WITH unfinished AS (
          SELECT t.task_id, t.state, r.district FROM department_task t JOIN plan_run r ON r.run_id = t.run_id
          WHERE t.run_id = ? AND t.state IN (?, ?, ?) FOR UPDATE OF t)
        UPDATE department_task t SET state = ?, updated_at = now() FROM unfinished
        WHERE t.task_id = unfinished.task_id RETURNING t.task_id, unfinished.state, unfinished.district"""),
                runId,
                TaskState.ASSIGNED.word(),
                TaskState.ACCEPTED.word(),
                TaskState.IN_PROGRESS.word(),
                TaskState.CANCELLED.word());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        WorkStore.record(
            c,
            new WorkStore.Event(
                WorkKind.TASK,
                rs.getString(1),
                rs.getString(3),
                "transition",
                rs.getString(2),
                TaskState.CANCELLED.word(),
                "system",
                "run " + runId + " cancelled"));
      }
    }
  }

  /** A run with its targets, cancel commands, tasks and per-state counts; empty when unknown. */
  public static Optional<JsonObject> run(Connection c, String runId) throws SQLException {
    JsonObject run;
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT run_id, plan_id, incident_id, district, request_id, actor, state, created_at, started_at,
               finished_at, decided_by, decided_at, decision_reason
        FROM plan_run WHERE run_id = ?"""),
                runId);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      run = Rows.one(rs);
    }
    List<JsonObject> commands;
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT command_id, device_id, action, params, state, attempts, detail, issued_at, expires_at, updated_at
        FROM command WHERE run_id = ? ORDER BY command_id"""),
                runId);
        ResultSet rs = ps.executeQuery()) {
      commands = Rows.all(rs);
    }
    JsonArray targets = new JsonArray();
    JsonArray cancels = new JsonArray();
    JsonObject counts = new JsonObject();
    STATES.forEach(s -> counts.put(s, 0));
    for (JsonObject command : commands) {
      if (CANCEL.equals(command.getString("action"))) {
        cancels.add(command);
      } else {
        targets.add(command);
        counts.put(command.getString("state"), counts.getInteger(command.getString("state")) + 1);
      }
    }
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT task_id, department, task, state, due_at, overdue_at FROM department_task WHERE run_id = ? ORDER BY task_id"),
                runId);
        ResultSet rs = ps.executeQuery()) {
      JsonArray tasks = new JsonArray();
      JsonObject taskCounts =
          new JsonObject().put("open", 0).put("done", 0).put("failed", 0).put("cancelled", 0);
      for (JsonObject task : Rows.all(rs)) {
        String state = task.getString("state");
        String bucket = taskCounts.containsKey(state) ? state : "open";
        taskCounts.put(bucket, taskCounts.getInteger(bucket) + 1);
        tasks.add(
            task.put(
                "allowed_transitions",
                new JsonArray(WorkKind.TASK.flow().allowed(task.getString("state")))));
      }
      run.put("tasks", tasks).put("task_counts", taskCounts);
    }
    return Optional.of(
        run.put("total", targets.size())
            .put("counts", counts)
            .put("targets", targets)
            .put("cancel_commands", cancels));
  }

  /** The scope's latest runs, newest first. */
  public static List<JsonObject> runs(Connection c, ReadScope scope, int limit)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    String inScope = scope.condition("r.district", params);
    params.add(limit);
    String sql =
        "SELECT r.run_id, r.plan_id, r.incident_id, r.district, r.request_id, r.actor, r.state, r.created_at,"
            + " r.finished_at, (SELECT count(*) FROM command m WHERE m.run_id = r.run_id AND m.action <> '"
            + CANCEL
            + "') AS total"
            + " FROM plan_run r"
            + " WHERE "
            + inScope
            + " ORDER BY r.created_at DESC LIMIT ?";
    try (PreparedStatement ps = Rows.bind(c.prepareStatement(sql), params.toArray());
        ResultSet rs = ps.executeQuery()) {
      return Rows.all(rs);
    }
  }
}
