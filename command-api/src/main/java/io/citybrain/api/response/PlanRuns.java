package io.citybrain.api.response;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.db.Db;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.ReadScope;
import io.citybrain.seeds.Escalation;
import io.citybrain.seeds.ResponsePlan;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Plan runs as the routes ask for them, on the database workers: an incident's whereabouts, a run
 * started at most once per request id (with its targets, tasks and audit in one transaction), one
 * run, the latest runs.
 */
public final class PlanRuns {
  private final Db db;
  private final Escalation escalation;

  /**
   * @param escalation the seeds' escalation block: a task's SLA is its own or its default
   */
  public PlanRuns(Db db, Escalation escalation) {
    this.db = db;
    this.escalation = escalation;
  }

  /**
   * A run to start: who asks, under which request id and request hash, which plan where, measured
   * from where.
   */
  record Launch(
      String actor,
      String requestId,
      String requestHash,
      ResponsePlan plan,
      String district,
      double lat,
      double lon,
      String incidentId) {}

  /** A run id, and the plan to dispatch when this request created it (null for a repeat). */
  record Started(String runId, RunPlan plan) {}

  Future<Optional<ResponseStore.IncidentRef>> incident(String incidentId) {
    return db.query(c -> ResponseStore.incident(c, incidentId));
  }

  Future<Optional<JsonObject>> run(String runId) {
    return db.query(c -> ResponseStore.run(c, runId));
  }

  Future<List<JsonObject>> latest(ReadScope scope, int limit) {
    return db.query(c -> ResponseStore.runs(c, scope, limit));
  }

  /**
   * Stores the run with one command per target and one task per department, audited as allowed; a
   * request id seen before answers with its run, audited as repeated.
   */
  Future<Started> start(Launch launch) {
    return db.transaction(
        c -> {
          Optional<ResponseStore.PriorRun> existing =
              ResponseStore.runByRequestId(c, launch.actor(), launch.requestId());
          if (existing.isPresent()) {
            return repeated(c, launch, existing.get());
          }
          String planId = launch.plan().id();
          List<PlanTargets.Target> targets =
              PlanTargets.select(
                  launch.plan(),
                  ResponseStore.actuators(c, launch.district()),
                  launch.lat(),
                  launch.lon());
          String runId = "run-" + UUID.randomUUID();
          long now = System.currentTimeMillis();
          List<RunPlan.Item> items = new ArrayList<>();
          for (int i = 0; i < targets.size(); i++) {
            PlanTargets.Target t = targets.get(i);
            items.add(
                new RunPlan.Item(runId + "-c" + (i + 1), t.deviceId(), t.action(), t.params()));
          }
          RunPlan run =
              new RunPlan(
                  runId,
                  planId,
                  launch.district(),
                  now,
                  now + launch.plan().commandTtlS() * 1000L,
                  items);
          List<String[]> tasks =
              launch.plan().tasks().stream()
                  .map(
                      t ->
                          new String[] {
                            t.department(),
                            t.task(),
                            Long.toString(escalation.taskSla(t).toMinutes())
                          })
                  .toList();
          if (!ResponseStore.insertRun(
              c,
              run,
              launch.requestId(),
              launch.requestHash(),
              launch.actor(),
              launch.incidentId(),
              tasks)) {
            // A concurrent trigger with the same request id won the insert: answer with its run.
            return repeated(
                c,
                launch,
                ResponseStore.runByRequestId(c, launch.actor(), launch.requestId()).orElseThrow());
          }
          AuditLog.append(
              c,
              entry(
                  launch,
                  runId,
                  "allowed",
                  new JsonObject()
                      .put("plan_id", planId)
                      .put("incident_id", launch.incidentId())
                      .put("targets", items.size())));
          return new Started(runId, run);
        });
  }

  /**
   * The same request again answers its run; another request under the same id is 422 (a client's
   * bug or a guess, never a silent answer with a run it did not ask for). Runs stored before
   * request hashes existed match any request.
   */
  private static Started repeated(Connection c, Launch launch, ResponseStore.PriorRun prior)
      throws SQLException {
    if (prior.requestHash() != null && !prior.requestHash().equals(launch.requestHash())) {
      throw new ApiException(
          422,
          new JsonObject()
              .put("error", "request_id_reused")
              .put(
                  "reason",
                  "request_id '"
                      + launch.requestId()
                      + "' was used for a different request; use a new request_id"));
    }
    AuditLog.append(
        c,
        entry(
            launch,
            prior.runId(),
            "repeated",
            new JsonObject().put("plan_id", launch.plan().id())));
    return new Started(prior.runId(), null);
  }

  private static AuditLog.Entry entry(
      Launch launch, String runId, String outcome, JsonObject detail) {
    return new AuditLog.Entry(
        launch.actor(),
        "trigger_response",
        runId,
        launch.district(),
        launch.requestId(),
        outcome,
        detail);
  }
}
