package io.citybrain.api.read;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.MetricKind;
import io.citybrain.seeds.ResponsePlan;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.TreeMap;

/**
 * The seeds the wall explains things with: response plans (what a trigger will do) and metric names
 * and units.
 */
public final class ReferenceRoutes {
  private final CitySeeds seeds;

  public ReferenceRoutes(CitySeeds seeds) {
    this.seeds = seeds;
  }

  public void mount(Operations ops) {
    ops.get("listPlans").addHandler(requires(Role.VIEWER)).addHandler(this::plans);
    ops.get("getPlan").addHandler(requires(Role.VIEWER)).addHandler(this::plan);
    ops.get("listMetricKinds").addHandler(requires(Role.VIEWER)).addHandler(this::metricKinds);
    ops.get("listDepartments")
        .addHandler(requires(Role.VIEWER))
        .addHandler(
            ctx ->
                Replies.json(
                    ctx,
                    200,
                    new JsonObject()
                        .put(
                            "items",
                            new JsonArray(
                                seeds.departments().stream()
                                    .map(
                                        d ->
                                            new JsonObject()
                                                .put("id", d.id())
                                                .put("name_en", d.nameEn())
                                                .put("name_zh", d.nameZh()))
                                    .toList()))));
  }

  private void plans(RoutingContext ctx) {
    Replies.json(
        ctx,
        200,
        new JsonObject()
            .put(
                "items",
                new JsonArray(
                    seeds.responsePlans().stream().map(ReferenceRoutes::describe).toList())));
  }

  private void plan(RoutingContext ctx) {
    String id = ctx.pathParam("planId");
    Replies.json(
        ctx,
        200,
        describe(seeds.responsePlan(id).orElseThrow(() -> ApiException.notFound("plan", id))));
  }

  private void metricKinds(RoutingContext ctx) {
    Replies.json(
        ctx,
        200,
        new JsonObject()
            .put(
                "items",
                new JsonArray(seeds.metrics().stream().map(ReferenceRoutes::describe).toList())));
  }

  static JsonObject describe(ResponsePlan plan) {
    JsonArray commands = new JsonArray();
    plan.commands()
        .forEach(
            c ->
                commands.add(
                    new JsonObject()
                        .put("device_kind", c.deviceKind())
                        .put("action", c.action())
                        .put("params", new JsonObject(new TreeMap<>(c.params())))
                        .put("within_m", c.withinM())));
    JsonArray tasks = new JsonArray();
    plan.tasks()
        .forEach(
            t ->
                tasks.add(
                    new JsonObject().put("department", t.department()).put("task", t.task())));
    return new JsonObject()
        .put("plan_id", plan.id())
        .put("name_en", plan.nameEn())
        .put("name_zh", plan.nameZh())
        .put("command_ttl_s", plan.commandTtlS())
        .put("approval", plan.needsSecondCoordinator() ? ResponsePlan.SECOND_COORDINATOR : "none")
        .put("commands", commands)
        .put("tasks", tasks);
  }

  static JsonObject describe(MetricKind metric) {
    return new JsonObject()
        .put("metric", metric.id())
        .put("name", metric.name())
        .put("unit", metric.unit())
        .put("category", metric.category())
        .put("min", metric.min())
        .put("max", metric.max());
  }
}
