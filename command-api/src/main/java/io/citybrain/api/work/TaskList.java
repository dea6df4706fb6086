package io.citybrain.api.work;

import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ReadScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * A department's work queue: the plan runs' tasks of the scope's districts, oldest first, by state
 * and department, each with the moves it allows now.
 */
public final class TaskList {
  private final Db db;

  public TaskList(Db db) {
    this.db = db;
  }

  /** What a task list is filtered by (null: any). */
  record Filter(String state, String department) {}

  Future<JsonObject> list(ReadScope scope, Filter filter, int limit) {
    return db.query(
        c -> {
          StringBuilder sql =
              new StringBuilder(
                  """
                  SELECT t.task_id, t.run_id, r.district, r.incident_id, t.department, t.task, t.state,
                         t.created_at, t.updated_at
                  FROM department_task t JOIN plan_run r ON r.run_id = t.run_id WHERE true""");
          List<Object> params = new ArrayList<>();
          scope.where(sql, params, "r.district");
          if (filter.state() != null) {
            sql.append(" AND t.state = ?");
            params.add(filter.state());
          }
          if (filter.department() != null) {
            sql.append(" AND t.department = ?");
            params.add(filter.department());
          }
          // A queue is worked oldest first.
          sql.append(" ORDER BY t.created_at, t.task_id LIMIT ?");
          params.add(limit);
          JsonArray items = new JsonArray();
          try (PreparedStatement ps =
                  Rows.bind(c.prepareStatement(sql.toString()), params.toArray());
              ResultSet rs = ps.executeQuery()) {
            for (JsonObject task : Rows.all(rs)) {
              items.add(
                  task.put(
                      "allowed_transitions",
                      new JsonArray(WorkKind.TASK.flow().allowed(task.getString("state")))));
            }
          }
          return new JsonObject().put("items", items);
        });
  }
}
