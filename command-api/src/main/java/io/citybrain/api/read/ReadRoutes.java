package io.citybrain.api.read;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.DeviceKind;
import io.citybrain.seeds.District;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The wall's read side: districts with their live snapshot, the city summary, history, devices,
 * alerts, incidents, accounting. Each read is bounded by the caller's district scope: lists show
 * only its districts, one object outside it is 403.
 */
public final class ReadRoutes {
  static final int MAX_HISTORY_POINTS = 10_000;
  private final CitySeeds seeds;
  private final ReadStore store;
  private final CitySummary summary;

  /**
   * @param liveSnapshot the latest snapshot the live hub holds for a district (event loop), or null
   */
  public ReadRoutes(CitySeeds seeds, ReadStore store, Function<String, JsonObject> liveSnapshot) {
    this.seeds = seeds;
    this.store = store;
    this.summary = new CitySummary(seeds, liveSnapshot);
  }

  public void mount(Operations ops) {
    ops.get("listDistricts").addHandler(requires(Role.VIEWER)).addHandler(this::districts);
    ops.get("getDistrict").addHandler(requires(Role.VIEWER)).addHandler(this::district);
    ops.get("getMetricHistory").addHandler(requires(Role.VIEWER)).addHandler(this::history);
    ops.get("getSummary").addHandler(requires(Role.VIEWER)).addHandler(this::summary);
    ops.get("listDevices").addHandler(requires(Role.VIEWER)).addHandler(this::devices);
    ops.get("listAlerts").addHandler(requires(Role.VIEWER)).addHandler(this::alerts);
    ops.get("listIncidents").addHandler(requires(Role.VIEWER)).addHandler(this::incidents);
    ops.get("getAccounting").addHandler(requires(Role.VIEWER)).addHandler(this::accounting);
  }

  private void districts(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    Replies.reply(
        ctx,
        store
            .storedSnapshots()
            .map(
                stored ->
                    new JsonObject()
                        .put(
                            "items",
                            new JsonArray(
                                seeds.districts().stream()
                                    .filter(d -> caller.covers(d.code()))
                                    .map(
                                        d ->
                                            CitySummary.describe(
                                                d, summary.snapshotOf(d.code(), stored)))
                                    .toList()))));
  }

  private void district(RoutingContext ctx) {
    District district = district(ctx, ctx.pathParam("code"));
    Replies.reply(
        ctx,
        store
            .storedSnapshots()
            .map(
                stored ->
                    CitySummary.describe(district, summary.snapshotOf(district.code(), stored))));
  }

  private void history(RoutingContext ctx) {
    District district = district(ctx, ctx.pathParam("code"));
    String metric = ctx.pathParam("metric");
    if (seeds.metric(metric).isEmpty()) {
      throw ApiException.notFound("metric", metric);
    }
    String resolutionId = Params.query(ctx, "resolution");
    Resolution resolution =
        resolutionId == null ? Resolution.ONE_MINUTE : Resolution.parse(resolutionId).orElseThrow();
    Instant to = Params.instant(ctx, "to", Instant.now());
    Instant from = Params.instant(ctx, "from", to.minus(resolution.step().multipliedBy(360)));
    Params.ordered(from, to);
    long points = Duration.between(from, to).dividedBy(resolution.step());
    if (points > MAX_HISTORY_POINTS) {
      throw ApiException.badRequest(
          "from",
          "the range holds "
              + points
              + " points at "
              + resolution.id()
              + ", at most "
              + MAX_HISTORY_POINTS
              + "; narrow it or choose a coarser resolution");
    }
    Replies.reply(
        ctx,
        store
            .history(district.code(), metric, resolution, from, to)
            .map(
                rows ->
                    new JsonObject()
                        .put("district", district.code())
                        .put("metric", metric)
                        .put("resolution", resolution.id())
                        .put("from", from.toString())
                        .put("to", to.toString())
                        .put("unit", seeds.metric(metric).orElseThrow().unit())
                        .put("points", new JsonArray(rows))));
  }

  private void summary(RoutingContext ctx) {
    ReadScope scope = ReadScope.of(Access.caller(ctx));
    Replies.reply(ctx, store.summaryRows(scope).map(raw -> summary.of(raw, Instant.now(), scope)));
  }

  private void devices(RoutingContext ctx) {
    ReadScope scope = scope(ctx);
    String kind = Params.query(ctx, "kind");
    if (kind != null && seeds.deviceKind(kind).isEmpty()) {
      throw ApiException.badRequest("kind", "unknown device kind '" + kind + "'");
    }
    Replies.reply(
        ctx,
        store
            .devices(
                scope,
                new ReadStore.DeviceFilter(
                    kind, Params.query(ctx, "class"), Params.bool(ctx, "online")),
                new ReadStore.Page(
                    Params.integer(ctx, "limit", 100),
                    Params.integer(ctx, "offset", 0),
                    Params.query(ctx, "after")))
            .map(this::withCommands));
  }

  /** Each device with its kind's commands: what the wall's send-command form offers. */
  private JsonObject withCommands(JsonObject page) {
    for (Object item : page.getJsonArray("items")) {
      JsonObject device = (JsonObject) item;
      device.put(
          "commands",
          new JsonArray(
              seeds
                  .deviceKind(device.getString("kind"))
                  .map(DeviceKind::commands)
                  .orElse(List.of())));
    }
    return page;
  }

  private void alerts(RoutingContext ctx) {
    Replies.reply(
        ctx,
        store
            .alerts(
                scope(ctx),
                Params.query(ctx, "state"),
                Params.query(ctx, "handling"),
                Params.bool(ctx, "suppressed"),
                Params.integer(ctx, "limit", 100))
            .map(items -> new JsonObject().put("items", new JsonArray(items))));
  }

  private void incidents(RoutingContext ctx) {
    Replies.reply(
        ctx,
        store
            .incidents(scope(ctx), Params.query(ctx, "state"), Params.integer(ctx, "limit", 100))
            .map(items -> new JsonObject().put("items", new JsonArray(items))));
  }

  private void accounting(RoutingContext ctx) {
    Replies.reply(
        ctx,
        store
            .accounting(scope(ctx))
            .map(items -> new JsonObject().put("items", new JsonArray(items))));
  }

  /** A known district in the caller's scope: 404 for an unknown code, 403 outside the scope. */
  private District district(RoutingContext ctx, String code) {
    District district =
        seeds.district(code).orElseThrow(() -> ApiException.notFound("district", code));
    Access.caller(ctx).requireDistrict(code);
    return district;
  }

  /** The {@code district} query parameter (400 when unknown) within the caller's scope. */
  private ReadScope scope(RoutingContext ctx) {
    return ReadScope.of(
        Access.caller(ctx), Params.district(seeds, "district", Params.query(ctx, "district")));
  }
}
