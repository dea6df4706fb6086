package io.citybrain.api.response;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.auth.AuditTrail;
import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.proto.RunState;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.District;
import io.citybrain.seeds.ResponsePlan;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Linked responses: a coordinator triggers a plan for an incident or a district, reads a run's
 * progress, cancels it. Every trigger and cancel attempt is audited with its outcome: allowed ones
 * with the change, refused ones (by the document, the role check or the handler) by {@link
 * AuditTrail}.
 */
public final class ResponseRoutes {
  private static final String TRIGGER = "citybrain.trigger";
  private final CitySeeds seeds;
  private final PlanRuns runs;
  private final AuditLog audit;
  private final ResponseDispatcher dispatcher;

  public ResponseRoutes(
      CitySeeds seeds, PlanRuns runs, AuditLog audit, ResponseDispatcher dispatcher) {
    this.seeds = seeds;
    this.runs = runs;
    this.audit = audit;
    this.dispatcher = dispatcher;
  }

  public void mount(Operations ops) {
    // What a trigger asks is checked before who asks, so an invalid request is audited as such.
    ops.get("triggerResponse")
        .addHandler(this::readTrigger)
        .addHandler(requires(Role.COORDINATOR))
        .addHandler(this::trigger);
    ops.get("listResponses").addHandler(requires(Role.VIEWER)).addHandler(this::list);
    ops.get("getResponse").addHandler(requires(Role.VIEWER)).addHandler(this::get);
    ops.get("cancelResponse").addHandler(requires(Role.COORDINATOR)).addHandler(this::cancel);
    ops.get("decideResponse").addHandler(requires(Role.COORDINATOR)).addHandler(this::decide);
  }

  /** What a trigger asks for, validated. */
  private record Trigger(
      String requestId,
      String requestHash,
      String planId,
      String incidentId,
      String district,
      Double lat,
      Double lon,
      boolean queue) {}

  /** The checks the document cannot make: which fields go together, which codes the seeds know. */
  private void readTrigger(RoutingContext ctx) {
    JsonObject body = Params.body(ctx);
    Trigger trigger =
        new Trigger(
            body.getString("request_id"),
            RequestHash.of(body),
            body.getString("plan_id"),
            body.getString("incident_id"),
            body.getString("district"),
            Params.number(body, "lat"),
            Params.number(body, "lon"),
            Boolean.TRUE.equals(body.getValue("queue")));
    if (trigger.incidentId() == null && trigger.district() == null) {
      throw ApiException.badRequest("district", "is required when no incident_id is given");
    }
    Params.together(trigger.lat(), trigger.lon());
    if (trigger.planId() != null && seeds.responsePlan(trigger.planId()).isEmpty()) {
      throw ApiException.badRequest("plan_id", "unknown plan '" + trigger.planId() + "'");
    }
    Params.district(seeds, "district", trigger.district());
    ctx.put(TRIGGER, trigger);
    ctx.next();
  }

  private void trigger(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    Trigger trigger = ctx.get(TRIGGER);
    // The target as the coordinator named it: the incident, else the plan (a wall trigger names the
    // incident only).
    ctx.put(
        AuditTrail.TARGET, trigger.incidentId() != null ? trigger.incidentId() : trigger.planId());
    Future<ResponseStore.IncidentRef> incident =
        trigger.incidentId() == null
            ? Future.succeededFuture(null)
            : runs.incident(trigger.incidentId())
                .map(
                    found ->
                        found.orElseThrow(
                            () -> ApiException.notFound("incident", trigger.incidentId())));
    incident
        .map(found -> launch(caller, trigger, found))
        .compose(runs::start)
        .compose(
            started -> {
              if (started.plan() != null) {
                dispatcher.start(started.plan());
              }
              return runs.run(started.runId())
                  .map(run -> run.orElseThrow().put("created", started.created()));
            })
        .onSuccess(run -> Replies.json(ctx, run.getBoolean("created") ? 201 : 200, run))
        .onFailure(ctx::fail);
  }

  /** The run to start: where (the incident's district unless named), which plan, from where. */
  private PlanRuns.Launch launch(
      Caller caller, Trigger trigger, ResponseStore.IncidentRef incident) {
    String district = incident != null ? incident.district() : trigger.district();
    if (incident != null && trigger.district() != null && !trigger.district().equals(district)) {
      throw ApiException.badRequest(
          "district",
          "incident "
              + incident.incidentId()
              + " is in "
              + district
              + ", not "
              + trigger.district());
    }
    caller.requireDistrict(district);
    String planId =
        trigger.planId() != null ? trigger.planId() : incident == null ? null : incident.planId();
    if (planId == null) {
      throw ApiException.badRequest("plan_id", "is required when the incident suggests no plan");
    }
    ResponsePlan plan =
        seeds
            .responsePlan(planId)
            .orElseThrow(() -> ApiException.badRequest("plan_id", "unknown plan '" + planId + "'"));
    District d = seeds.district(district).orElseThrow();
    // Where within_m is measured from: the request's point, else the incident's first located
    // signal, else the district's centroid.
    double lat =
        trigger.lat() != null
            ? trigger.lat()
            : incident != null && incident.lat() != null ? incident.lat() : d.lat();
    double lon =
        trigger.lon() != null
            ? trigger.lon()
            : incident != null && incident.lon() != null ? incident.lon() : d.lon();
    return new PlanRuns.Launch(
        caller.name(),
        trigger.requestId(),
        trigger.requestHash(),
        plan,
        district,
        lat,
        lon,
        incident == null ? null : incident.incidentId(),
        trigger.queue());
  }

  private void list(RoutingContext ctx) {
    ReadScope scope =
        ReadScope.of(
            Access.caller(ctx), Params.district(seeds, "district", Params.query(ctx, "district")));
    Replies.reply(
        ctx,
        runs.latest(scope, Params.integer(ctx, "limit", 50))
            .map(items -> new JsonObject().put("items", new JsonArray(items))));
  }

  private void get(RoutingContext ctx) {
    String runId = ctx.pathParam("runId");
    Replies.reply(
        ctx,
        runs.run(runId)
            .map(run -> run.orElseThrow(() -> ApiException.notFound("response run", runId)))
            .map(
                run -> {
                  Access.caller(ctx).requireDistrict(run.getString("district"));
                  return run;
                }));
  }

  private void cancel(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    String runId = ctx.pathParam("runId");
    runs.run(runId)
        .map(run -> run.orElseThrow(() -> ApiException.notFound("response run", runId)))
        .compose(
            run -> {
              caller.requireDistrict(run.getString("district"));
              String state = run.getString("state");
              if (RunState.QUEUED.word().equals(state)
                  || RunState.AWAITING_APPROVAL.word().equals(state)) {
                // Nothing sent: cancelled at once (false: the leader started it meanwhile).
                return runs.cancelWaiting(
                        runId, caller.name(), run.getString("district"), requestIdOf(ctx))
                    .compose(
                        done -> {
                          if (!done && !dispatcher.cancel(runId)) {
                            throw notCancellable(runId, state);
                          }
                          return dispatcher.flushed();
                        })
                    .compose(v -> runs.run(runId))
                    .map(after -> after.orElseThrow());
              }
              if (!RunState.RUNNING.word().equals(state) || !dispatcher.cancel(runId)) {
                throw ApiException.conflict(
                    new JsonObject()
                        .put(
                            "reason",
                            "run "
                                + runId
                                + " is "
                                + state
                                + ", only a running run can be cancelled")
                        .put("state", state)
                        .put("allowed", new JsonArray()));
              }
              return dispatcher
                  .flushed()
                  .compose(
                      v ->
                          audit.append(
                              new AuditLog.Entry(
                                  caller.name(),
                                  "cancel_response",
                                  runId,
                                  run.getString("district"),
                                  requestIdOf(ctx),
                                  "allowed",
                                  null)))
                  .compose(v -> runs.run(runId))
                  .map(after -> after.orElseThrow());
            })
        .onSuccess(run -> Replies.json(ctx, 200, run))
        .onFailure(ctx::fail);
  }

  private static ApiException notCancellable(String runId, String state) {
    return ApiException.conflict(
        new JsonObject()
            .put(
                "reason", "run " + runId + " is " + state + ", only a running run can be cancelled")
            .put("state", state)
            .put("allowed", new JsonArray()));
  }

  /** A second coordinator approves or rejects a run awaiting approval. */
  private void decide(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    String runId = ctx.pathParam("runId");
    JsonObject body = Params.body(ctx);
    boolean approve = body.getBoolean("approve");
    String reason = body.getString("reason");
    if (!approve && (reason == null || reason.isBlank())) {
      throw ApiException.badRequest("reason", "is required to reject a run");
    }
    ctx.put(AuditTrail.TARGET, runId);
    runs.decide(
            runId,
            new PlanRuns.Decision(caller, approve, reason, body.getString("request_id")),
            seeds)
        .compose(v -> runs.run(runId))
        .onSuccess(run -> Replies.json(ctx, 200, run.orElseThrow()))
        .onFailure(ctx::fail);
  }

  private static String requestIdOf(RoutingContext ctx) {
    return Params.bodyString(ctx, "request_id");
  }
}
