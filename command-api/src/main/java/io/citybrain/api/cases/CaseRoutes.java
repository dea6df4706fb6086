package io.citybrain.api.cases;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.auth.Caller;
import io.citybrain.api.auth.Role;
import io.citybrain.api.db.Db;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.Replies;
import io.citybrain.api.live.LiveHub;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.GridCaseCategory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Grid cases: citizen reports, listing, one case with its history, lifecycle transitions, and
 * rates.
 */
public final class CaseRoutes {
  private final CitySeeds seeds;
  private final Db db;
  private final LiveHub hub;

  public CaseRoutes(CitySeeds seeds, Db db, LiveHub hub) {
    this.seeds = seeds;
    this.db = db;
    this.hub = hub;
  }

  public void mount(Router router) {
    router.post("/api/v1/cases").handler(this::report);
    router.get("/api/v1/cases").handler(this::list);
    router.get("/api/v1/cases/stats").handler(this::stats);
    router.get("/api/v1/cases/:caseId").handler(this::get);
    router.post("/api/v1/cases/:caseId/transitions").handler(this::transition);
  }

  private void report(RoutingContext ctx) {
    Caller caller = Caller.of(ctx.user());
    caller.require(Role.VIEWER);
    JsonObject body = Params.body(ctx);
    String district = Params.requiredString(body, "district", 8);
    if (seeds.district(district).isEmpty()) {
      throw ApiException.badRequest("district", "unknown district '" + district + "'");
    }
    String subtypeId = Params.requiredString(body, "subtype", 64);
    Category category =
        category(subtypeId)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "subtype", "unknown case sub-type '" + subtypeId + "'"));
    String description = Params.requiredString(body, "description", 2000);
    Double lat = Params.optionalNumber(body, "lat", -90, 90);
    Double lon = Params.optionalNumber(body, "lon", -180, 180);
    if ((lat == null) != (lon == null)) {
      throw ApiException.badRequest(lat == null ? "lat" : "lon", "lat and lon go together");
    }
    CaseStore.NewCase report =
        new CaseStore.NewCase(
            district,
            category.category().id(),
            subtypeId,
            category.subtype().department(),
            category.subtype().slaHours(),
            "citizen",
            lat,
            lon,
            description,
            null,
            caller.name(),
            Instant.now());
    Replies.reply(
        ctx,
        201,
        db.transaction(
                c -> CaseStore.get(c, CaseStore.create(c, report, caller.name())).orElseThrow())
            .onSuccess(created -> push(created, "created")));
  }

  private void list(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    String district = Params.query(ctx, "district");
    if (district != null && seeds.district(district).isEmpty()) {
      throw ApiException.badRequest("district", "unknown district '" + district + "'");
    }
    String state = Params.oneOf(ctx, "state", new HashSet<>(CaseWorkflow.STATES), null);
    String department = Params.query(ctx, "department");
    String subtype = Params.query(ctx, "subtype");
    int limit = Params.intQuery(ctx, "limit", 100, 1, 1000);
    int offset = Params.intQuery(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    Replies.reply(
        ctx, db.query(c -> CaseStore.list(c, district, state, department, subtype, limit, offset)));
  }

  private void stats(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    String by = Params.oneOf(ctx, "by", Set.of("district", "department", "category", "all"), "all");
    Instant to = Params.instantQuery(ctx, "to", Instant.now().plusSeconds(1));
    Instant from = Params.instantQuery(ctx, "from", Instant.EPOCH);
    if (!from.isBefore(to)) {
      throw ApiException.badRequest("from", "must be before to (" + to + "), was " + from);
    }
    Replies.reply(
        ctx,
        db.query(
            c ->
                new JsonObject()
                    .put("by", by)
                    .put("from", from.toString())
                    .put("to", to.toString())
                    .put(
                        "items",
                        new JsonArray(
                            CaseStats.rates(c, by.equals("all") ? null : by, from, to)))));
  }

  private void get(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    String caseId = ctx.pathParam("caseId");
    Replies.reply(
        ctx,
        db.query(
            c ->
                CaseStore.get(c, caseId).orElseThrow(() -> ApiException.notFound("case", caseId))));
  }

  private void transition(RoutingContext ctx) {
    Caller caller = Caller.of(ctx.user());
    caller.require(Role.OPERATOR);
    String caseId = ctx.pathParam("caseId");
    JsonObject body = Params.body(ctx);
    String to = Params.requiredString(body, "to", 20);
    if (!CaseWorkflow.STATES.contains(to)) {
      throw ApiException.badRequest(
          "to", "must be one of " + String.join(", ", CaseWorkflow.STATES) + ", was '" + to + "'");
    }
    String note = Params.optionalString(body, "note", 2000);
    Integer rating = null;
    String feedback = Params.optionalString(body, "feedback", 2000);
    if (to.equals("closed")) {
      Object raw = body.getValue("rating");
      if (!(raw instanceof Integer || raw instanceof Long)
          || ((Number) raw).intValue() < 1
          || ((Number) raw).intValue() > 5) {
        throw ApiException.badRequest(
            "rating", "closing a case takes the feedback's rating, an integer 1..5");
      }
      rating = ((Number) raw).intValue();
    }
    Integer finalRating = rating;
    Replies.reply(
        ctx,
        db.transaction(
                c -> {
                  JsonObject current =
                      CaseStore.lock(c, caseId)
                          .orElseThrow(() -> ApiException.notFound("case", caseId));
                  caller.requireDistrict(current.getString("district"));
                  String from = current.getString("state");
                  if (!CaseWorkflow.canMove(from, to)) {
                    throw ApiException.conflict(
                        new JsonObject()
                            .put("reason", "a " + from + " case cannot become " + to)
                            .put("from", from)
                            .put("to", to)
                            .put("allowed", new JsonArray(CaseWorkflow.allowed(from))));
                  }
                  CaseStore.move(c, caseId, to, finalRating, feedback);
                  CaseStore.history(c, caseId, from, to, caller.name(), note);
                  AuditLog.append(
                      c,
                      new AuditLog.Entry(
                          caller.name(),
                          "case_transition",
                          caseId,
                          current.getString("district"),
                          null,
                          "allowed",
                          new JsonObject().put("from", from).put("to", to)));
                  return CaseStore.get(c, caseId).orElseThrow();
                })
            .onSuccess(moved -> push(moved, "transition")));
  }

  private void push(JsonObject gridCase, String change) {
    JsonObject event = gridCase.copy().put("change", change);
    event.remove("history");
    hub.event(gridCase.getString("district"), "case", event);
  }

  /** A sub-type with its category. */
  record Category(GridCaseCategory category, GridCaseCategory.Subtype subtype) {}

  private Optional<Category> category(String subtypeId) {
    for (GridCaseCategory category : seeds.gridCaseCategories()) {
      for (GridCaseCategory.Subtype subtype : category.subtypes()) {
        if (subtype.id().equals(subtypeId)) {
          return Optional.of(new Category(category, subtype));
        }
      }
    }
    return Optional.empty();
  }
}
