package io.citybrain.api.response;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.auth.Caller;
import io.citybrain.api.auth.Role;
import io.citybrain.api.db.Db;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.Replies;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.District;
import io.citybrain.seeds.ResponsePlan;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Linked responses: a coordinator triggers a plan for an incident or a district, reads a run's
 * progress, cancels it. Every trigger and cancel attempt is audited with its outcome, including the
 * ones refused.
 */
public final class ResponseRoutes {
  private final CitySeeds seeds;
  private final Db db;
  private final AuditLog audit;
  private final ResponseDispatcher dispatcher;

  public ResponseRoutes(CitySeeds seeds, Db db, AuditLog audit, ResponseDispatcher dispatcher) {
    this.seeds = seeds;
    this.db = db;
    this.audit = audit;
    this.dispatcher = dispatcher;
  }

  public void mount(Router router) {
    router.post("/api/v1/responses").handler(this::trigger);
    router.get("/api/v1/responses").handler(this::list);
    router.get("/api/v1/responses/:runId").handler(this::get);
    router.post("/api/v1/responses/:runId/cancel").handler(this::cancel);
  }

  /** What a trigger asks for, validated. */
  private record Trigger(
      String requestId,
      String planId,
      String incidentId,
      String district,
      Double lat,
      Double lon) {}

  private void trigger(RoutingContext ctx) {
    Caller caller = Caller.of(ctx.user());
    JsonObject body;
    Trigger trigger;
    try {
      body = Params.body(ctx);
      trigger =
          new Trigger(
              Params.requiredString(body, "request_id", 128),
              Params.optionalString(body, "plan_id", 64),
              Params.optionalString(body, "incident_id", 128),
              Params.optionalString(body, "district", 8),
              Params.optionalNumber(body, "lat", -90, 90),
              Params.optionalNumber(body, "lon", -180, 180));
      if (trigger.incidentId() == null && trigger.district() == null) {
        throw ApiException.badRequest("district", "is required when no incident_id is given");
      }
      if ((trigger.lat() == null) != (trigger.lon() == null)) {
        throw ApiException.badRequest(
            trigger.lat() == null ? "lat" : "lon", "lat and lon go together");
      }
      if (trigger.planId() != null && seeds.responsePlan(trigger.planId()).isEmpty()) {
        throw ApiException.badRequest("plan_id", "unknown plan '" + trigger.planId() + "'");
      }
      if (trigger.district() != null && seeds.district(trigger.district()).isEmpty()) {
        throw ApiException.badRequest("district", "unknown district '" + trigger.district() + "'");
      }
      caller.require(Role.COORDINATOR);
    } catch (ApiException e) {
      refuse(ctx, caller, null, ctx.body().asString() == null ? null : requestIdOf(ctx), null, e);
      return;
    }
    Future<ResponseStore.IncidentRef> incident =
        trigger.incidentId() == null
            ? Future.succeededFuture(null)
            : db.query(
                c ->
                    ResponseStore.incident(c, trigger.incidentId())
                        .orElseThrow(
                            () -> ApiException.notFound("incident", trigger.incidentId())));
    incident
        .compose(found -> start(caller, trigger, found))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                Replies.json(ctx, ar.result().getBoolean("created") ? 201 : 200, ar.result());
              } else if (ar.cause() instanceof ApiException e) {
                // The target as the coordinator named it: the incident, else the plan (a wall
                // trigger names the incident only).
                refuse(
                    ctx,
                    caller,
                    trigger.district(),
                    trigger.requestId(),
                    trigger.incidentId() != null ? trigger.incidentId() : trigger.planId(),
                    e);
              } else {
                ctx.fail(ar.cause());
              }
            });
  }

  private Future<JsonObject> start(
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
    // signal, else the
    // district's centroid.
    double lat =
        trigger.lat() != null
            ? trigger.lat()
            : incident != null && incident.lat() != null ? incident.lat() : d.lat();
    double lon =
        trigger.lon() != null
            ? trigger.lon()
            : incident != null && incident.lon() != null ? incident.lon() : d.lon();
    String incidentId = incident == null ? null : incident.incidentId();
    return db.transaction(
            c -> {
              var existing = ResponseStore.runByRequestId(c, trigger.requestId());
              if (existing.isPresent()) {
                AuditLog.append(
                    c,
                    entry(
                        caller,
                        "trigger_response",
                        existing.get(),
                        district,
                        trigger.requestId(),
                        "repeated",
                        new JsonObject().put("plan_id", planId)));
                return new Started(existing.get(), null);
              }
              List<PlanTargets.Target> targets =
                  PlanTargets.select(plan, ResponseStore.actuators(c, district), lat, lon);
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
                      runId, planId, district, now, now + plan.commandTtlS() * 1000L, items);
              List<String[]> tasks =
                  plan.tasks().stream().map(t -> new String[] {t.department(), t.task()}).toList();
              if (!ResponseStore.insertRun(
                  c, run, trigger.requestId(), caller.name(), incidentId, tasks)) {
                // A concurrent trigger with the same request id won the insert: answer with its
                // run, audited as a repeat.
                String winner = ResponseStore.runByRequestId(c, trigger.requestId()).orElseThrow();
                AuditLog.append(
                    c,
                    entry(
                        caller,
                        "trigger_response",
                        winner,
                        district,
                        trigger.requestId(),
                        "repeated",
                        new JsonObject().put("plan_id", planId)));
                return new Started(winner, null);
              }
              AuditLog.append(
                  c,
                  entry(
                      caller,
                      "trigger_response",
                      runId,
                      district,
                      trigger.requestId(),
                      "allowed",
                      new JsonObject()
                          .put("plan_id", planId)
                          .put("incident_id", incidentId)
                          .put("targets", items.size())));
              return new Started(runId, run);
            })
        .compose(
            started -> {
              if (started.plan() != null) {
                dispatcher.start(started.plan());
              }
              return db.query(c -> ResponseStore.run(c, started.runId()).orElseThrow())
                  .map(run -> run.put("created", started.plan() != null));
            });
  }

  /** A run id, and the plan to dispatch when this request created it. */
  private record Started(String runId, RunPlan plan) {}

  private void list(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    String district = Params.query(ctx, "district");
    if (district != null && seeds.district(district).isEmpty()) {
      throw ApiException.badRequest("district", "unknown district '" + district + "'");
    }
    int limit = Params.intQuery(ctx, "limit", 50, 1, 500);
    Replies.reply(
        ctx,
        db.query(
            c ->
                new JsonObject()
                    .put("items", new JsonArray(ResponseStore.runs(c, district, limit)))));
  }

  private void get(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    String runId = ctx.pathParam("runId");
    Replies.reply(
        ctx,
        db.query(
            c ->
                ResponseStore.run(c, runId)
                    .orElseThrow(() -> ApiException.notFound("response run", runId))));
  }

  private void cancel(RoutingContext ctx) {
    Caller caller = Caller.of(ctx.user());
    String runId = ctx.pathParam("runId");
    String requestId = requestIdOf(ctx);
    if (!caller.has(Role.COORDINATOR)) {
      refuse(
          ctx,
          caller,
          null,
          requestId,
          runId,
          ApiException.forbidden(
              "role coordinator required, caller '"
                  + caller.name()
                  + "' is "
                  + caller.role().id()));
      return;
    }
    db.query(
            c ->
                ResponseStore.run(c, runId)
                    .orElseThrow(() -> ApiException.notFound("response run", runId)))
        .compose(
            run -> {
              caller.requireDistrict(run.getString("district"));
              if (!"running".equals(run.getString("state")) || !dispatcher.cancel(runId)) {
                throw ApiException.conflict(
                    new JsonObject()
                        .put(
                            "reason",
                            "run "
                                + runId
                                + " is "
                                + run.getString("state")
                                + ", only a running run can be cancelled")
                        .put("state", run.getString("state"))
                        .put("allowed", new JsonArray()));
              }
              return dispatcher
                  .flushed()
                  .compose(
                      v ->
                          audit.append(
                              entry(
                                  caller,
                                  "cancel_response",
                                  runId,
                                  run.getString("district"),
                                  requestId,
                                  "allowed",
                                  null)))
                  .compose(v -> db.query(c -> ResponseStore.run(c, runId).orElseThrow()));
            })
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                Replies.json(ctx, 200, ar.result());
              } else if (ar.cause() instanceof ApiException e) {
                refuse(ctx, caller, null, requestId, runId, e);
              } else {
                ctx.fail(ar.cause());
              }
            });
  }

  /**
   * Audits a refused attempt (denied, invalid, not_found, conflict), then answers with the refusal.
   */
  private void refuse(
      RoutingContext ctx,
      Caller caller,
      String district,
      String requestId,
      String target,
      ApiException e) {
    String outcome =
        switch (e.status()) {
          case 403 -> "denied";
          case 404 -> "not_found";
          case 409 -> "conflict";
          default -> "invalid";
        };
    String action =
        ctx.request().path().endsWith("/cancel") ? "cancel_response" : "trigger_response";
    String scope = district;
    if (scope == null && action.equals("trigger_response")) {
      try {
        scope = ctx.body().asJsonObject().getString("district");
      } catch (RuntimeException ignored) {
        // A body that is not a JSON object names no district.
      }
    }
    audit
        .append(entry(caller, action, target, scope, requestId, outcome, e.body()))
        .onComplete(ar -> ctx.fail(e));
  }

  private static String requestIdOf(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      return body == null || !(body.getValue("request_id") instanceof String id) ? null : id;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static AuditLog.Entry entry(
      Caller caller,
      String action,
      String target,
      String district,
      String requestId,
      String outcome,
      JsonObject detail) {
    return new AuditLog.Entry(caller.name(), action, target, district, requestId, outcome, detail);
  }
}
