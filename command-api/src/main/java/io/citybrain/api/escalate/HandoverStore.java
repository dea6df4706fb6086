package io.citybrain.api.escalate;

import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ReadScope;
import io.citybrain.proto.Severities;
import io.citybrain.seeds.Escalation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shift handover: per district what is still open (alerts by handling, incidents by state),
 * what escalated and what is overdue (tasks, cases), counted and listed (each list capped). Overdue
 * is read at the clock's instant, whether or not a scan has marked it yet.
 */
public final class HandoverStore {
  private static final String INCIDENT_OPEN = "('open', 'acknowledged', 'responding')";
  private final Db db;
  private final Escalation policy;
  private final Clock clock;

  public HandoverStore(Db db, Escalation policy, Clock clock) {
    this.db = db;
    this.policy = policy;
    this.clock = clock;
  }

  /** The handover of {@code districts} (the scope's, in seed order), lists capped at limit. */
  Future<JsonObject> handover(ReadScope scope, List<String> districts, int limit) {
    return db.query(c -> handover(c, scope, districts, limit, clock.instant()));
  }

  private JsonObject handover(
      Connection c, ReadScope scope, List<String> districts, int limit, Instant now)
      throws SQLException {
    Map<String, JsonObject> byDistrict = new LinkedHashMap<>();
    for (String d : districts) {
      byDistrict.put(
          d,
          new JsonObject()
              .put("district", d)
              .put(
                  "alerts",
                  new JsonObject()
                      .put("open", 0)
                      .put("new", 0)
                      .put("acknowledged", 0)
                      .put("escalated", 0))
              .put(
                  "incidents",
                  new JsonObject()
                      .put("open_total", 0)
                      .put("open", 0)
                      .put("acknowledged", 0)
                      .put("responding", 0))
              .put("overdue_tasks", 0)
              .put("overdue_cases", 0)
              .put(
                  "lists",
                  new JsonObject()
                      .put("alerts", new JsonArray())
                      .put("incidents", new JsonArray())
                      .put("overdue_tasks", new JsonArray())
                      .put("overdue_cases", new JsonArray())));
    }
    double defaultSla = policy.defaultTaskSla().toSeconds();
    for (JsonObject row :
        rows(
            c,
            scope,
            "district",
            """
        SELECT district, handling, count(*) AS n, count(*) FILTER (WHERE escalation_level > 0) AS escalated
        FROM alert WHERE handling <> 'resolved' AND %s GROUP BY district, handling""")) {
      JsonObject alerts = at(byDistrict, row).map(d -> d.getJsonObject("alerts")).orElse(null);
      if (alerts != null) {
        alerts.put(row.getString("handling"), row.getLong("n"));
        alerts.put("open", alerts.getLong("open") + row.getLong("n"));
        alerts.put("escalated", alerts.getLong("escalated") + row.getLong("escalated"));
      }
    }
    for (JsonObject row :
        rows(
            c,
            scope,
            "district",
            "SELECT district, state, count(*) AS n FROM incident WHERE state IN "
                + INCIDENT_OPEN
                + " AND %s GROUP BY district, state")) {
      at(byDistrict, row)
          .ifPresent(
              d -> {
                JsonObject incidents = d.getJsonObject("incidents");
                incidents.put(row.getString("state"), row.getLong("n"));
                incidents.put("open_total", incidents.getLong("open_total") + row.getLong("n"));
              });
    }
    String overdueTask =
        "t.state IN ('assigned', 'accepted', 'in_progress') AND " + OverdueTasks.DUE + " <= ?";
    for (JsonObject row :
        rows(
            c,
            scope,
            "r.district",
            "SELECT r.district, count(*) AS n FROM department_task t JOIN plan_run r ON r.run_id ="
                + " t.run_id WHERE "
                + overdueTask
                + " AND %s GROUP BY r.district",
            defaultSla,
            now)) {
      at(byDistrict, row).ifPresent(d -> d.put("overdue_tasks", row.getLong("n")));
    }
    String overdueCase = "state IN " + OverdueCases.OPEN + " AND due_at <= ?";
    for (JsonObject row :
        rows(
            c,
            scope,
            "district",
            "SELECT district, count(*) AS n FROM grid_case WHERE "
                + overdueCase
                + " AND %s GROUP BY district",
            now)) {
      at(byDistrict, row).ifPresent(d -> d.put("overdue_cases", row.getLong("n")));
    }
    list(
        c,
        scope,
        byDistrict,
        "alerts",
        limit,
        """
        SELECT alert_id, rule_id, district, metric, severity,
               coalesce(escalated_severity, severity) AS effective_severity, escalation_level, state, handling,
               raised_at, acknowledged_by, assignee, escalated_at
        FROM alert WHERE handling <> 'resolved'""",
        "district",
        "escalation_level DESC, " + Severities.sqlRank("effective_severity") + " DESC, raised_at");
    list(
        c,
        scope,
        byDistrict,
        "incidents",
        limit,
        "SELECT incident_id, pattern_id, district, severity, state, detected_at, summary,"
            + " acknowledged_by FROM incident WHERE state IN "
            + INCIDENT_OPEN,
        "district",
        Severities.sqlRank("severity") + " DESC, detected_at DESC");
    list(
        c,
        scope,
        byDistrict,
        "overdue_tasks",
        limit,
        "SELECT t.task_id, t.run_id, r.district, t.department, t.task, t.state, "
            + OverdueTasks.DUE
            + " AS due_at, t.overdue_at, t.escalation_level FROM department_task t JOIN plan_run r"
            + " ON r.run_id = t.run_id WHERE "
            + overdueTask,
        "r.district",
        "due_at",
        defaultSla,
        defaultSla,
        now);
    list(
        c,
        scope,
        byDistrict,
        "overdue_cases",
        limit,
        "SELECT case_id, district, category, subtype, state, department, due_at, overdue_at,"
            + " escalation_level FROM grid_case WHERE "
            + overdueCase,
        "district",
        "due_at",
        now);
    return new JsonObject()
        .put("generated_at", now.toString())
        .put("limit", limit)
        .put("districts", new JsonArray(new ArrayList<>(byDistrict.values())));
  }

  private static Optional<JsonObject> at(Map<String, JsonObject> byDistrict, JsonObject row) {
    return Optional.ofNullable(byDistrict.get(row.getString("district")));
  }

  /** Rows of a query whose {@code %s} is the scope's condition on {@code column}. */
  private static List<JsonObject> rows(
      Connection c, ReadScope scope, String column, String sql, Object... params)
      throws SQLException {
    List<Object> all = new ArrayList<>(List.of(params));
    String inScope = scope.condition(column, all);
    try (PreparedStatement ps =
            Rows.bind(c.prepareStatement(sql.formatted(inScope)), all.toArray());
        ResultSet rs = ps.executeQuery()) {
      return Rows.all(rs);
    }
  }

  /** Up to {@code limit} rows per district of {@code select}, in {@code order}, into its list. */
  private static void list(
      Connection c,
      ReadScope scope,
      Map<String, JsonObject> byDistrict,
      String name,
      int limit,
      String select,
      String column,
      String order,
      Object... params)
      throws SQLException {
    List<Object> all = new ArrayList<>(List.of(params));
    String inScope = scope.condition(column, all);
    all.add(limit);
    String sql =
        "SELECT * FROM (SELECT q.*, row_number() OVER (PARTITION BY q.district ORDER BY "
            + order
            + ") AS n FROM ("
            + select
            + " AND "
            + inScope
            + ") q) ranked WHERE n <= ? ORDER BY district, n";
    try (PreparedStatement ps = Rows.bind(c.prepareStatement(sql), all.toArray());
        ResultSet rs = ps.executeQuery()) {
      for (JsonObject row : Rows.all(rs)) {
        row.remove("n");
        at(byDistrict, row).ifPresent(d -> d.getJsonObject("lists").getJsonArray(name).add(row));
      }
    }
  }
}
