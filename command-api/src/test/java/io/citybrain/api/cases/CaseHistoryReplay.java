package io.citybrain.api.cases;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The batch recomputation the case rates are checked against: every case's history replayed in
 * Java, move by move through the workflow, into its final state and latest resolution, then counted
 * per group.
 */
public final class CaseHistoryReplay {
  /** A case as created: what it is grouped by, and when it was due. */
  private record Created(String district, String department, String category, Instant due) {}

  /** A case after its history: its state and latest resolution (null when never resolved). */
  private static final class Replayed {
    String state;
    Instant resolvedAt;
  }

  private final Map<String, Created> cases;
  private final Map<String, Replayed> replayed;
  private final List<String> illegal;

  private CaseHistoryReplay(
      Map<String, Created> cases, Map<String, Replayed> replayed, List<String> illegal) {
    this.cases = cases;
    this.replayed = replayed;
    this.illegal = illegal;
  }

  /** Reads every case and its whole history, in the order it was written. */
  public static CaseHistoryReplay read(DataSource ds) throws SQLException {
    Map<String, Created> cases = new LinkedHashMap<>();
    Map<String, Replayed> replayed = new HashMap<>();
    List<String> illegal = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      try (ResultSet rs =
          st.executeQuery(
              "SELECT case_id, district, department, category, due_at FROM grid_case")) {
        while (rs.next()) {
          cases.put(
              rs.getString(1),
              new Created(
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getTimestamp(5).toInstant()));
        }
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT case_id, from_state, to_state, at FROM grid_case_history ORDER BY id")) {
        while (rs.next()) {
          String caseId = rs.getString(1);
          String from = rs.getString(2);
          String to = rs.getString(3);
          Replayed r = replayed.computeIfAbsent(caseId, k -> new Replayed());
          boolean legal =
              r.state == null
                  ? from == null && to.equals("discovered")
                  : r.state.equals(from)
                      && (CaseWorkflow.canMove(from, to)
                          // A reassignment dispatches an open case again.
                          || (to.equals("dispatched") && CaseWorkflow.canReassign(from)));
          if (!legal) {
            illegal.add(caseId + ": " + r.state + " then " + from + " -> " + to);
          }
          r.state = to;
          if (to.equals("resolved")) {
            r.resolvedAt = rs.getTimestamp(4).toInstant();
          }
        }
      }
    }
    return new CaseHistoryReplay(cases, replayed, illegal);
  }

  /** Moves that do not follow from the case's replayed state by the workflow; empty when none. */
  public List<String> illegalMoves() {
    return illegal;
  }

  /** The rates per district, department or category, as the stats route renders them. */
  public List<JsonObject> rates(String by) {
    Map<String, long[]> groups = new TreeMap<>();
    cases.forEach(
        (id, created) -> {
          String key =
              switch (by) {
                case "district" -> created.district();
                case "department" -> created.department();
                default -> created.category();
              };
          long[] counts = groups.computeIfAbsent(key, k -> new long[3]);
          counts[0]++;
          Replayed r = replayed.get(id);
          boolean resolved =
              r != null && List.of("resolved", "confirmed", "closed").contains(r.state);
          if (resolved) {
            counts[1]++;
            if (!r.resolvedAt.isAfter(created.due())) {
              counts[2]++;
            }
          }
        });
    List<JsonObject> rows = new ArrayList<>();
    groups.forEach((key, n) -> rows.add(CaseStats.row(key, n[0], n[1], n[2])));
    return rows;
  }
}
