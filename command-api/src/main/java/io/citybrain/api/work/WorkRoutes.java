package io.citybrain.api.work;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.http.Access;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.api.live.LiveHub;
import io.citybrain.seeds.CitySeeds;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Alerts, incidents and department tasks carried to done: one item with its history, its moves
 * (acknowledge, resolve, close; accept, start, done, fail), an alert's assignee, an incident's
 * comments and timeline. Each change is pushed to the item's district as a {@code work} frame.
 */
public final class WorkRoutes {
  private final WorkStore store;
  private final TaskList tasks;
  private final LiveHub hub;
  private final CitySeeds seeds;

  public WorkRoutes(CitySeeds seeds, WorkStore store, TaskList tasks, LiveHub hub) {
    this.seeds = seeds;
    this.store = store;
    this.tasks = tasks;
    this.hub = hub;
  }

  public void mount(Operations ops) {
    get(ops, "getAlert", WorkKind.ALERT, "alertId");
    get(ops, "getIncident", WorkKind.INCIDENT, "id");
    get(ops, "getTask", WorkKind.TASK, "taskId");
    ops.get("listTasks")
        .addHandler(requires(Role.VIEWER))
        .addHandler(
            ctx ->
                Replies.reply(
                    ctx,
                    tasks.list(
                        ReadScope.of(
                            Access.caller(ctx),
                            Params.district(seeds, "district", Params.query(ctx, "district"))),
                        new TaskList.Filter(
                            Params.query(ctx, "state"), Params.query(ctx, "department")),
                        Params.integer(ctx, "limit", 100))));
    transition(ops, "transitionAlert", WorkKind.ALERT, "alertId");
    transition(ops, "transitionIncident", WorkKind.INCIDENT, "id");
    transition(ops, "transitionTask", WorkKind.TASK, "taskId");
    ops.get("getIncidentTimeline")
        .addHandler(requires(Role.VIEWER))
        .addHandler(
            ctx ->
                Replies.reply(
                    ctx,
                    store.timeline(
                        ctx.pathParam("id"),
                        Params.integer(ctx, "limit", 1000),
                        Access.caller(ctx))));
    ops.get("commentIncident")
        .addHandler(requires(Role.OPERATOR))
        .addHandler(
            ctx ->
                pushed(
                    ctx,
                    WorkKind.INCIDENT,
                    "comment",
                    store.comment(
                        ctx.pathParam("id"),
                        Params.body(ctx).getString("text"),
                        Access.caller(ctx))));
    ops.get("assignAlert")
        .addHandler(requires(Role.OPERATOR))
        .addHandler(
            ctx -> {
              JsonObject body = Params.body(ctx);
              pushed(
                  ctx,
                  WorkKind.ALERT,
                  "assign",
                  store.assignAlert(
                      ctx.pathParam("alertId"),
                      body.getString("assignee"),
                      body.getString("note"),
                      Access.caller(ctx)));
            });
  }

  private void get(Operations ops, String operation, WorkKind kind, String idParam) {
    ops.get(operation)
        .addHandler(requires(Role.VIEWER))
        .addHandler(
            ctx ->
                Replies.reply(ctx, store.find(kind, ctx.pathParam(idParam), Access.caller(ctx))));
  }

  private void transition(Operations ops, String operation, WorkKind kind, String idParam) {
    ops.get(operation)
        .addHandler(requires(Role.OPERATOR))
        .addHandler(
            ctx -> {
              JsonObject body = Params.body(ctx);
              pushed(
                  ctx,
                  kind,
                  "transition",
                  store.move(
                      kind,
                      ctx.pathParam(idParam),
                      new WorkStore.Move(body.getString("to"), body.getString("note")),
                      Access.caller(ctx)));
            });
  }

  /** Replies with the item and pushes the change to the wall of its district. */
  private void pushed(RoutingContext ctx, WorkKind kind, String change, Future<JsonObject> moved) {
    Replies.reply(
        ctx,
        moved.onSuccess(
            item -> {
              JsonObject summary = item.copy();
              summary.remove("history");
              summary.remove("evidence");
              hub.event(
                  item.getString("district"),
                  "work",
                  new JsonObject()
                      .put("kind", kind.word())
                      .put("change", change)
                      .put("item", summary));
            }));
  }
}
