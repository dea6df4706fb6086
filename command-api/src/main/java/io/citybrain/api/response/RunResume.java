package io.citybrain.api.response;

import io.citybrain.api.db.Rows;
import io.citybrain.api.response.TrackedCommand.Timer;
import io.citybrain.proto.CommandState;
import io.citybrain.proto.RunState;
import io.citybrain.proto.Word;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads the runs another process left running (it died, or lost the leader lease) as they stand in
 * the database, with the timer each command not yet final must wait out: an attempt's ack timeout
 * counted from when it was sent (not from now), a retry's backoff from when its attempt failed, and
 * a target never sent due at once. Blocking: call on a database worker.
 */
final class RunResume {
  private RunResume() {}

  /**
   * A timer to set again: an attempt's ack timeout, or the next attempt (1 for a target never
   * sent).
   */
  record Due(String commandId, String wireId, int attempt, long atMs) {
    boolean ackTimeout() {
      return wireId != null;
    }
  }

  /**
   * A run to track again: where it stands, the digest of every attempt it sent (by wire id), its
   * timers, and whether a cancel was asked of a process that did not track it.
   */
  record Resumed(
      TrackedRun run, Map<String, byte[]> digests, List<Due> timers, boolean cancelRequested) {}

  /** The running and cancelling runs not in {@code tracked}. */
  static List<Resumed> load(Connection c, Set<String> tracked, Duration ackTimeout, Backoff backoff)
      throws SQLException {
    List<Resumed> resumed = new ArrayList<>();
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        SELECT r.run_id, r.plan_id, r.district, r.cancel_requested_at IS NOT NULL AS cancel_requested,
               r.state,
               (SELECT count(*) FROM command_event e JOIN command m ON m.command_id = e.command_id
                WHERE m.run_id = r.run_id) AS events
        FROM plan_run r WHERE r.state IN (?, ?) ORDER BY r.created_at"""),
            RunState.RUNNING.word(),
            RunState.CANCELLING.word())) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String runId = rs.getString(1);
          RunState state = Word.parse(RunState.class, rs.getString(5));
          if (!tracked.contains(runId)) {
            resumed.add(
                new Resumed(
                    new TrackedRun(
                        new RunPlan(runId, rs.getString(2), rs.getString(3), 0, 0, List.of()),
                        Map.of(),
                        Map.of(),
                        Map.of(),
                        rs.getLong(6),
                        state == RunState.CANCELLING,
                        state),
                    Map.of(),
                    List.of(),
                    rs.getBoolean(4)));
          }
        }
      }
    }
    List<Resumed> loaded = new ArrayList<>();
    for (Resumed shell : resumed) {
      loaded.add(commands(c, shell, ackTimeout, backoff));
    }
    return loaded;
  }

  /** The cancels asked (through any process) of running runs. */
  static List<String> cancelRequests(Connection c) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                "SELECT run_id FROM plan_run WHERE state = ? AND cancel_requested_at IS NOT NULL"),
            RunState.RUNNING.word())) {
      List<String> ids = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    }
  }

  private record Row(
      String commandId,
      String deviceId,
      String action,
      Map<String, String> params,
      CommandState state,
      int attempts,
      boolean ended,
      long issuedAtMs,
      long expiresAtMs,
      long updatedAtMs) {}

  private static Resumed commands(Connection c, Resumed shell, Duration ackTimeout, Backoff backoff)
      throws SQLException {
    String runId = shell.run().runId();
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        SELECT command_id, device_id, action, params::text, state, attempts, final, issued_at, expires_at,
               updated_at
        FROM command WHERE run_id = ?"""),
            runId)) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, String> params = new LinkedHashMap<>();
          new JsonObject(rs.getString(4))
              .getMap()
              .forEach((k, v) -> params.put(k, String.valueOf(v)));
          rows.add(
              new Row(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  params,
                  Word.parse(CommandState.class, rs.getString(5)),
                  rs.getInt(6),
                  rs.getBoolean(7),
                  rs.getTimestamp(8).getTime(),
                  rs.getTimestamp(9).getTime(),
                  rs.getTimestamp(10).getTime()));
        }
      }
    }
    Map<String, byte[]> digestByWireId = new HashMap<>();
    Map<String, Long> sentAtByWireId = new HashMap<>();
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        SELECT a.command_id, a.attempt, a.digest, a.sent_at
        FROM command_attempt a JOIN command m ON m.command_id = a.command_id WHERE m.run_id = ?"""),
            runId)) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String wireId = wireId(rs.getString(1), rs.getInt(2));
          digestByWireId.put(wireId, rs.getBytes(3));
          sentAtByWireId.put(wireId, rs.getTimestamp(4).getTime());
        }
      }
    }
    // Plan order: the targets' ids end in -c1, -c2, ... as PlanRuns made them.
    rows.sort(Comparator.comparingLong(RunResume::ordinal).thenComparing(Row::commandId));
    List<RunPlan.Item> items = new ArrayList<>();
    Map<String, TrackedCommand> targets = new LinkedHashMap<>();
    Map<String, TrackedCommand> cancels = new LinkedHashMap<>();
    Map<String, String> wireIds = new LinkedHashMap<>();
    List<Due> timers = new ArrayList<>();
    long issuedAtMs = Long.MAX_VALUE;
    long expiresAtMs = 0;
    for (Row row : rows) {
      boolean cancel = ResponseStore.CANCEL.equals(row.action());
      RunPlan.Item item =
          new RunPlan.Item(
              row.commandId(), row.deviceId(), row.action(), cancel ? Map.of() : row.params());
      int n = row.attempts();
      String last = n == 0 ? null : wireId(row.commandId(), n);
      for (int k = 1; k <= n; k++) {
        wireIds.put(wireId(row.commandId(), k), row.commandId());
      }
      Timer timer = Timer.NONE;
      if (!row.ended()) {
        switch (row.state()) {
          case CANCELLING -> {
            // Waits for its cancel command's answer (that command has the ack timeout).
          }
          case PENDING -> {
            timer = Timer.BACKOFF;
            timers.add(new Due(row.commandId(), null, n + 1, 0));
          }
          case SENT, ACCEPTED -> {
            timer = Timer.ACK_TIMEOUT;
            long sentAt = sentAtByWireId.getOrDefault(last, row.updatedAtMs());
            timers.add(new Due(row.commandId(), last, n, sentAt + ackTimeout.toMillis()));
          }
          default -> {
            // failed or timed_out with attempts left: the next one after the rest of its backoff.
            timer = Timer.BACKOFF;
            timers.add(
                new Due(row.commandId(), null, n + 1, row.updatedAtMs() + backoff.delayMs(n + 1)));
          }
        }
      }
      if (cancel) {
        if (!row.ended() && row.state() == CommandState.PENDING) {
          // A cancel command is stored as sent before it goes out; pending never happens.
          continue;
        }
        if (timer == Timer.BACKOFF) {
          // A cancel is not retried: an unanswered one that failed is over.
          timers.removeIf(d -> d.commandId().equals(row.commandId()));
          timer = Timer.NONE;
        }
        cancels.put(
            row.commandId(),
            new TrackedCommand(
                item,
                row.params().get("cancels_command_id"),
                row.state(),
                Math.max(1, n),
                row.commandId(),
                row.ended() || timer == Timer.NONE,
                timer));
        wireIds.put(row.commandId(), row.commandId());
      } else {
        items.add(item);
        issuedAtMs = Math.min(issuedAtMs, row.issuedAtMs());
        expiresAtMs = Math.max(expiresAtMs, row.expiresAtMs());
        targets.put(
            row.commandId(),
            new TrackedCommand(item, null, row.state(), n, last, row.ended(), timer));
      }
    }
    TrackedRun before = shell.run();
    RunPlan plan =
        new RunPlan(
            runId,
            before.plan().planId(),
            before.plan().district(),
            items.isEmpty() ? 0 : issuedAtMs,
            expiresAtMs,
            items);
    return new Resumed(
        new TrackedRun(
            plan, targets, cancels, wireIds, before.seq(), before.cancelled(), before.state()),
        digestByWireId,
        timers,
        shell.cancelRequested());
  }

  private static String wireId(String commandId, int attempt) {
    return attempt <= 1 ? commandId : commandId + "~" + attempt;
  }

  private static long ordinal(Row row) {
    String id = row.commandId();
    int at = id.lastIndexOf("-c");
    if (at < 0) {
      return Long.MAX_VALUE;
    }
    String digits = id.substring(at + 2).replaceAll("[^0-9].*$", "");
    return digits.isEmpty() ? Long.MAX_VALUE : Long.parseLong(digits);
  }
}
