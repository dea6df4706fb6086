package io.citybrain.api.response;

import io.citybrain.api.db.Rows;
import io.citybrain.proto.CommandState;
import io.citybrain.proto.RunState;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What keeps runs from fighting each other, in PostgreSQL: transaction-scoped advisory locks (one
 * per caller, one per district: two triggers at once are serialized, so only one of two overlapping
 * runs can start), the trigger counts of the last minute, the runs holding a district's devices,
 * the queue the leader starts from. Blocking: call on the database workers, inside a transaction
 * (the locks last until it ends).
 *
 * <p>Lock order: a caller's lock before a district's, districts in code order; the leader's queue
 * takes only districts', so no two transactions wait on each other in a cycle.
 */
final class RunGuards {
  private RunGuards() {}

  /** The words of the states that hold their targets (no other run may send to them). */
  static final List<String> HOLDING =
      Arrays.stream(RunState.values()).filter(RunState::holdsTargets).map(RunState::word).toList();

  /** Waits for the caller's trigger lock, held until the transaction ends. */
  static void lockCaller(Connection c, String actor) throws SQLException {
    lock(c, "plan_run:caller:" + actor);
  }

  /** Waits for the district's run lock, held until the transaction ends. */
  static void lockDistrict(Connection c, String district) throws SQLException {
    lock(c, "plan_run:district:" + district);
  }

  private static void lock(Connection c, String key) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))"), key)) {
      ps.executeQuery().close();
    }
  }

  /**
   * Seconds until one more run may start when {@code column} = {@code value} has started {@code
   * limit} runs in the last minute already; empty when it may start now.
   */
  static OptionalInt retryAfter(Connection c, String column, String value, int limit)
      throws SQLException {
    String sql =
        "SELECT greatest(1, ceil(extract(epoch FROM created_at + interval '1 minute' - now())))::int"
            + " FROM plan_run WHERE "
            + column
            + " = ? AND created_at > now() - interval '1 minute'"
            + " ORDER BY created_at DESC OFFSET ? LIMIT 1";
    try (PreparedStatement ps = Rows.bind(c.prepareStatement(sql), value, limit - 1);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
    }
  }

  /** A run holding devices another wants: its id, its state, the devices both name. */
  record Overlap(String runId, RunState state, List<String> deviceIds) {}

  /**
   * The oldest run of the district holding any of {@code deviceIds}, other than {@code self}; a
   * queued run counts only when queued before {@code self} (null self: every queued run counts).
   */
  static Optional<Overlap> overlap(
      Connection c, String district, Collection<String> deviceIds, String self)
      throws SQLException {
    if (deviceIds.isEmpty()) {
      return Optional.empty();
    }
    Array devices = c.createArrayOf("text", deviceIds.toArray());
    Array holding = c.createArrayOf("text", HOLDING.toArray());
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT r.run_id, r.state, array_agg(DISTINCT m.device_id ORDER BY m.device_id)
        FROM plan_run r JOIN command m ON m.run_id = r.run_id
        WHERE r.district = ? AND r.state = ANY (?) AND m.action <> ? AND m.device_id = ANY (?)
          AND (?::text IS NULL OR (r.run_id <> ? AND (r.state <> ? OR (r.created_at, r.run_id)
               < (SELECT created_at, run_id FROM plan_run WHERE run_id = ?))))
        GROUP BY r.run_id, r.state, r.created_at ORDER BY r.created_at, r.run_id LIMIT 1"""),
                district,
                holding,
                ResponseStore.CANCEL,
                devices,
                self,
                self,
                RunState.QUEUED.word(),
                self);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Overlap(
              rs.getString(1),
              io.citybrain.proto.Word.parse(RunState.class, rs.getString(2)),
              List.of((String[]) rs.getArray(3).getArray())));
    }
  }

  /** The devices a run's target commands go to. */
  static List<String> devices(Connection c, String runId) throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT DISTINCT device_id FROM command WHERE run_id = ? AND action <> ?"),
                runId,
                ResponseStore.CANCEL);
        ResultSet rs = ps.executeQuery()) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  /**
   * The run goes on now: running, first sent now, its commands' lifetimes counted from now (a run
   * that waited is not sent already expired).
   */
  static void startNow(Connection c, String runId) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "UPDATE plan_run SET state = ?, started_at = now() WHERE run_id = ?"),
            RunState.RUNNING.word(),
            runId)) {
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        UPDATE command SET expires_at = now() + (expires_at - issued_at), issued_at = now(), updated_at = now()
        WHERE run_id = ? AND state = ?"""),
            runId,
            CommandState.PENDING.word())) {
      ps.executeUpdate();
    }
  }

  /**
   * The leader's queue: each queued run no earlier run holds any device of, started (oldest first,
   * district by district under its lock); the ids started.
   */
  static List<String> startQueued(Connection c) throws SQLException {
    List<String> districts = new ArrayList<>();
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT DISTINCT district FROM plan_run WHERE state = ? ORDER BY district"),
                RunState.QUEUED.word());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        districts.add(rs.getString(1));
      }
    }
    List<String> started = new ArrayList<>();
    for (String district : districts) {
      lockDistrict(c, district);
      List<String> queued = new ArrayList<>();
      try (PreparedStatement ps =
              Rows.bind(
                  c.prepareStatement(
                      "SELECT run_id FROM plan_run WHERE district = ? AND state = ? ORDER BY created_at, run_id"),
                  district,
                  RunState.QUEUED.word());
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          queued.add(rs.getString(1));
        }
      }
      for (String runId : queued) {
        if (overlap(c, district, devices(c, runId), runId).isEmpty()) {
          startNow(c, runId);
          started.add(runId);
        }
      }
    }
    return started;
  }

  /**
   * Ends a run nothing was sent for (queued, awaiting approval) in {@code state}: its commands
   * cancelled with {@code why}; false when it was not waiting any more.
   */
  static boolean endWaiting(Connection c, String runId, RunState state, String why)
      throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "UPDATE plan_run SET state = ?, finished_at = now() WHERE run_id = ? AND state IN (?, ?)"),
            state.word(),
            runId,
            RunState.QUEUED.word(),
            RunState.AWAITING_APPROVAL.word())) {
      if (ps.executeUpdate() == 0) {
        return false;
      }
    }
    List<String> commands = new ArrayList<>();
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    "SELECT command_id FROM command WHERE run_id = ? AND NOT final ORDER BY command_id"),
                runId);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        commands.add(rs.getString(1));
      }
    }
    for (String commandId : commands) {
      ResponseStore.recordCommand(c, commandId, CommandState.CANCELLED.word(), 0, why, true);
    }
    if (state == RunState.CANCELLED) {
      ResponseStore.finishRun(c, runId, state.word());
    }
    return true;
  }
}
