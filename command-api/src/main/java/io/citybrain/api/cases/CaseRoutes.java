package io.citybrain.api.cases;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.api.live.LiveHub;
import io.citybrain.proto.CaseState;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.GridCaseCategory;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Grid cases: citizen reports, listing, one case with its history, lifecycle transitions, and
 * rates.
 */
public final class CaseRoutes {
  /** The longest range the rates are computed over: a year and a day. */
  static final Duration MAX_STATS_RANGE = Duration.ofDays(366);

  private final CitySeeds seeds;
  private final CaseStore store;
  private final LiveHub hub;

  public CaseRoutes(CitySeeds seeds, CaseStore store, LiveHub hub) {
    this.seeds = seeds;
    this.store = store;
    this.hub = hub;
  }

  public void mount(Operations ops) {
    ops.get("reportCase").addHandler(requires(Role.VIEWER)).addHandler(this::report);
    ops.get("listCases").addHandler(requires(Role.VIEWER)).addHandler(this::list);
    ops.get("getCaseStats").addHandler(requires(Role.VIEWER)).addHandler(this::stats);
    ops.get("getCase").addHandler(requires(Role.VIEWER)).addHandler(this::get);
    ops.get("transitionCase").addHandler(requires(Role.OPERATOR)).addHandler(this::transition);
    ops.get("reassignCase").addHandler(requires(Role.OPERATOR)).addHandler(this::reassign);
  }

  private void report(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    JsonObject body = Params.body(ctx);
    String district = Params.district(seeds, "district", body.getString("district"));
    // A district-scoped caller reports in its own districts only, as it reads only those.
    caller.requireDistrict(district);
    String subtypeId = body.getString("subtype");
    Category category =
        category(subtypeId)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "subtype", "unknown case sub-type '" + subtypeId + "'"));
    Double lat = Params.number(body, "lat");
    Double lon = Params.number(body, "lon");
    Params.together(lat, lon);
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
            body.getString("description"),
            null,
            caller.name(),
            Instant.now());
    Replies.reply(ctx, 201, store.report(report, caller.name()).onSuccess(c -> push(c, "created")));
  }

  private void list(RoutingContext ctx) {
    Replies.reply(
        ctx,
        store.list(
            scope(ctx),
            new CaseStore.CaseFilter(
                Params.query(ctx, "state"),
                Params.query(ctx, "department"),
                Params.query(ctx, "subtype")),
            CaseStore.Order.of(Params.query(ctx, "order")),
            Params.integer(ctx, "limit", 100),
            Params.integer(ctx, "offset", 0),
            Params.query(ctx, "after")));
  }

  /** The {@code district} query parameter (400 when unknown) within the caller's scope. */
  private ReadScope scope(RoutingContext ctx) {
    return ReadScope.of(
        Access.caller(ctx), Params.district(seeds, "district", Params.query(ctx, "district")));
  }

  private void stats(RoutingContext ctx) {
    String by = Params.query(ctx, "by");
    Instant to = Params.instant(ctx, "to", Instant.now().plusSeconds(1));
    Instant from = Params.instant(ctx, "from", to.minus(MAX_STATS_RANGE));
    Params.ordered(from, to);
    Params.within(from, to, MAX_STATS_RANGE);
    Replies.reply(
        ctx, store.stats(by == null ? "all" : by, from, to, ReadScope.of(Access.caller(ctx))));
  }

  private void get(RoutingContext ctx) {
    String caseId = ctx.pathParam("caseId");
    Replies.reply(
        ctx,
        store
            .find(caseId)
            .map(found -> found.orElseThrow(() -> notFound(caseId)))
            .map(
                found -> {
                  Access.caller(ctx).requireDistrict(found.getString("district"));
                  return found;
                }));
  }

  private void transition(RoutingContext ctx) {
    JsonObject body = Params.body(ctx);
    String to = body.getString("to");
    Integer rating = body.getInteger("rating");
    if (to.equals(CaseState.CLOSED.word()) && rating == null) {
      throw ApiException.badRequest(
          "rating", "closing a case takes the feedback's rating, an integer 1..5");
    }
    CaseStore.Move move =
        new CaseStore.Move(
            to,
            body.getString("note"),
            to.equals(CaseState.CLOSED.word()) ? rating : null,
            body.getString("feedback"));
    Replies.reply(
        ctx,
        store
            .transition(ctx.pathParam("caseId"), move, Access.caller(ctx))
            .onSuccess(moved -> push(moved, "transition")));
  }

  private void reassign(RoutingContext ctx) {
    JsonObject body = Params.body(ctx);
    String department = body.getString("department");
    if (seeds.departments().stream().noneMatch(d -> d.id().equals(department))) {
      throw ApiException.badRequest("department", "unknown department '" + department + "'");
    }
    Replies.reply(
        ctx,
        store
            .reassign(
                ctx.pathParam("caseId"), department, body.getString("note"), Access.caller(ctx))
            .onSuccess(moved -> push(moved, "reassigned")));
  }

  private static ApiException notFound(String caseId) {
    return ApiException.notFound("case", caseId);
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
