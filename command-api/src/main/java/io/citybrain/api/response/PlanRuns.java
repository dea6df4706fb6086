package io.citybrain.api.response;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.db.Db;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.http.Throttled;
import io.citybrain.proto.RunState;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Escalation;
import io.citybrain.seeds.ResponsePlan;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * Plan runs as the routes ask for them, on the database workers: an incident's whereabouts, a run
 * started at most once per request id (with its targets, tasks and audit in one transaction, under
 * the caller's and the district's locks: rate limits, overlap with runs holding the same devices,
 * approval), decisions on runs awaiting approval, one run, the latest runs.
 */
public final class PlanRuns {
  private final Db db;
  private final Escalation escalation;
  private final Limits limits;

  /** Runs one caller, and one district, may see started per minute. */
  public record Limits(int perCaller, int perDistrict) {}

  /**
   * @param escalation the seeds' escalation block: a task's SLA is its own or its default
   */
  public PlanRuns(Db db, Escalation escalation, Limits limits) {
    this.db = db;
    this.escalation = escalation;
    this.limits = limits;
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
      String incidentId,
      boolean queue) {}

  /**
   * A run id, whether this request created it, and the plan to dispatch now (null for a repeat, and
   * for a run queued or awaiting approval: the leader starts those).
   */
  record Started(String runId, boolean created, RunPlan plan) {}

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
          // One trigger at a time per caller and per district: the counts and the overlap below
          // cannot change before this transaction ends, so of two overlapping triggers one wins.
          RunGuards.lockCaller(c, launch.actor());
          RunGuards.lockDistrict(c, launch.district());
          throttle(c, launch);
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
          Optional<RunGuards.Overlap> overlap =
              RunGuards.overlap(
                  c,
                  launch.district(),
                  items.stream().map(RunPlan.Item::deviceId).distinct().toList(),
                  null);
          if (overlap.isPresent() && !launch.queue()) {
            throw overlapping(overlap.get());
          }
          RunState state =
              launch.plan().needsSecondCoordinator()
                  ? RunState.AWAITING_APPROVAL
                  : overlap.isPresent() ? RunState.QUEUED : RunState.RUNNING;
          if (!ResponseStore.insertRun(
              c,
              run,
              launch.requestId(),
              launch.requestHash(),
              launch.actor(),
              launch.incidentId(),
              tasks(launch.plan()),
              state)) {
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
                      .put("targets", items.size())
                      .put("state", state.word())
                      .put("behind", overlap.map(RunGuards.Overlap::runId).orElse(null))));
          return new Started(runId, true, state == RunState.RUNNING ? run : null);
        });
  }

  /** A plan's tasks as {@link ResponseStore#begin} takes them: department, task, SLA minutes. */
  private List<String[]> tasks(ResponsePlan plan) {
    return plan.tasks().stream()
        .map(
            t ->
                new String[] {
                  t.department(), t.task(), Long.toString(escalation.taskSla(t).toMinutes())
                })
        .toList();
  }

  /** 429 when the caller, or the district, has started its runs of the minute already. */
  private void throttle(Connection c, Launch launch) throws SQLException {
    OptionalInt caller = RunGuards.retryAfter(c, "actor", launch.actor(), limits.perCaller());
    if (caller.isPresent()) {
      throw new Throttled(
          launch.actor()
              + " has triggered "
              + limits.perCaller()
              + " plans in the last minute (the limit per caller); retry in "
              + caller.getAsInt()
              + " s",
          caller.getAsInt());
    }
    OptionalInt district =
        RunGuards.retryAfter(c, "district", launch.district(), limits.perDistrict());
    if (district.isPresent()) {
      throw new Throttled(
          launch.district()
              + " has had "
              + limits.perDistrict()
              + " plans triggered in the last minute (the limit per district); retry in "
              + district.getAsInt()
              + " s",
          district.getAsInt());
    }
  }

  /** 409 naming the run that holds the devices. */
  static ApiException overlapping(RunGuards.Overlap o) {
    return new ApiException(
        409,
        new JsonObject()
            .put("error", "overlapping_run")
            .put(
                "reason",
                "run "
                    + o.runId()
                    + " ("
                    + o.state().word()
                    + ") holds "
                    + String.join(", ", o.deviceIds())
                    + "; wait for it to end, cancel it, or trigger with queue: true")
            .put("running_run_id", o.runId())
            .put("running_state", o.state().word())
            .put("device_ids", new JsonArray(o.deviceIds())));
  }

  /** A decision on a run awaiting approval: who, approve or reject, why, under which request id. */
  record Decision(Caller caller, boolean approve, String reason, String requestId) {}

  /**
   * Approves (the run starts, or is queued behind an overlapping run) or rejects (it ends rejected,
   * nothing sent) a run awaiting approval, audited in the same transaction; the leader sends an
   * approved run within one poll. 404 unknown, 403 outside the caller's districts or the caller's
   * own trigger, 409 not awaiting approval.
   */
  Future<Void> decide(String runId, Decision d, CitySeeds seeds) {
    return db.transaction(
        c -> {
          JsonObject run = ResponseStore.lockRun(c, runId);
          if (run == null) {
            throw ApiException.notFound("response run", runId);
          }
          String district = run.getString("district");
          d.caller().requireDistrict(district);
          String state = run.getString("state");
          if (!RunState.AWAITING_APPROVAL.word().equals(state)) {
            throw ApiException.conflict(
                new JsonObject()
                    .put("reason", "run " + runId + " is " + state + ", not awaiting_approval")
                    .put("state", state)
                    .put("allowed", new JsonArray()));
          }
          if (d.caller().name().equals(run.getString("actor"))) {
            throw ApiException.forbidden(
                "a second coordinator must decide: "
                    + d.caller().name()
                    + " triggered run "
                    + runId
                    + " and may not approve or reject it");
          }
          RunGuards.lockDistrict(c, district);
          RunState next;
          if (d.approve()) {
            boolean behind =
                RunGuards.overlap(c, district, RunGuards.devices(c, runId), runId).isPresent();
            next = behind ? RunState.QUEUED : RunState.RUNNING;
            ResponseStore.decided(c, runId, next, d.caller().name(), d.reason());
            if (next == RunState.RUNNING) {
              RunGuards.startNow(c, runId);
            }
            ResponsePlan plan = seeds.responsePlan(run.getString("plan_id")).orElseThrow();
            ResponseStore.begin(
                c,
                runId,
                district,
                plan.id(),
                run.getString("actor"),
                run.getString("incident_id"),
                tasks(plan));
          } else {
            next = RunState.REJECTED;
            RunGuards.endWaiting(
                c, runId, next, "plan rejected by " + d.caller().name() + ": " + d.reason());
            ResponseStore.decided(c, runId, next, d.caller().name(), d.reason());
          }
          AuditLog.append(
              c,
              new AuditLog.Entry(
                  d.caller().name(),
                  d.approve() ? "approve_response" : "reject_response",
                  runId,
                  district,
                  d.requestId(),
                  "allowed",
                  new JsonObject()
                      .put("requested_by", run.getString("actor"))
                      .put("state", next.word())
                      .put("reason", d.reason())));
          return null;
        });
  }

  /**
   * Cancels a run nothing was sent for (queued, awaiting approval), audited; false when it is not
   * waiting (any more): the dispatcher's cancel is then the one to use.
   */
  Future<Boolean> cancelWaiting(String runId, String actor, String district, String requestId) {
    return db.transaction(
        c -> {
          if (!RunGuards.endWaiting(
              c, runId, RunState.CANCELLED, "cancelled by " + actor + " before it was sent")) {
            return false;
          }
          AuditLog.append(
              c,
              new AuditLog.Entry(
                  actor, "cancel_response", runId, district, requestId, "allowed", null));
          return true;
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
    return new Started(prior.runId(), false, null);
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
