package io.citybrain.api.read;

import io.citybrain.api.auth.Caller;
import io.citybrain.api.auth.Role;
import io.citybrain.api.cases.CaseStats;
import io.citybrain.api.db.Db;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.Replies;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.District;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Function;

/**
 * The wall's read side: districts with their live snapshot, the city summary, history, devices,
 * alerts, incidents.
 */
public final class ReadRoutes {
  static final int MAX_HISTORY_POINTS = 10_000;
  private final CitySeeds seeds;
  private final Db db;
  private final Function<String, JsonObject> liveSnapshot;
  private final long summaryCacheNanos;

  /**
   * The summary's database part, shared by the requests of one cache period and by concurrent ones
   * (event loop).
   */
  private Future<JsonObject> summaryRows;

  private long summaryRowsAt;

  /**
   * @param liveSnapshot the latest snapshot seen on a district's live topic (event loop), or null
   * @param summaryCache how long the summary's database part is reused (zero: never)
   */
  public ReadRoutes(
      CitySeeds seeds, Db db, Function<String, JsonObject> liveSnapshot, Duration summaryCache) {
    this.seeds = seeds;
    this.db = db;
    this.liveSnapshot = liveSnapshot;
    this.summaryCacheNanos = summaryCache.toNanos();
  }

  public void mount(Router router) {
    router.get("/api/v1/districts").handler(this::districts);
    router.get("/api/v1/districts/:code").handler(this::district);
    router.get("/api/v1/districts/:code/metrics/:metric").handler(this::history);
    router.get("/api/v1/summary").handler(this::summary);
    router.get("/api/v1/devices").handler(this::devices);
    router.get("/api/v1/alerts").handler(this::alerts);
    router.get("/api/v1/incidents").handler(this::incidents);
    router.get("/api/v1/incidents/:id").handler(this::incident);
    router.get("/api/v1/accounting").handler(this::accounting);
  }

  private void districts(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    Replies.reply(
        ctx,
        snapshots()
            .map(
                stored ->
                    new JsonObject()
                        .put(
                            "items",
                            new JsonArray(
                                seeds.districts().stream()
                                    .map(d -> describe(d, snapshotOf(d.code(), stored)))
                                    .toList()))));
  }

  private void district(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    District district = district(ctx.pathParam("code"));
    Replies.reply(
        ctx, snapshots().map(stored -> describe(district, snapshotOf(district.code(), stored))));
  }

  private void history(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    District district = district(ctx.pathParam("code"));
    String metric = ctx.pathParam("metric");
    if (seeds.metric(metric).isEmpty()) {
      throw ApiException.notFound("metric", metric);
    }
    String resolutionId = Params.oneOf(ctx, "resolution", Set.of("10s", "1m", "1h", "1d"), "1m");
    Resolution resolution = Resolution.parse(resolutionId).orElseThrow();
    Instant to = Params.instantQuery(ctx, "to", Instant.now());
    Instant from = Params.instantQuery(ctx, "from", to.minus(resolution.step().multipliedBy(360)));
    if (!from.isBefore(to)) {
      throw ApiException.badRequest("from", "must be before to (" + to + "), was " + from);
    }
    long points = Duration.between(from, to).dividedBy(resolution.step());
    if (points > MAX_HISTORY_POINTS) {
      throw ApiException.badRequest(
          "from",
          "the range holds "
              + points
              + " points at "
              + resolutionId
              + ", at most "
              + MAX_HISTORY_POINTS
              + "; narrow it or choose a coarser resolution");
    }
    Replies.reply(
        ctx,
        db.query(
            c ->
                new JsonObject()
                    .put("district", district.code())
                    .put("metric", metric)
                    .put("resolution", resolutionId)
                    .put("from", from.toString())
                    .put("to", to.toString())
                    .put("unit", seeds.metric(metric).orElseThrow().unit())
                    .put(
                        "points",
                        new JsonArray(
                            ReadQueries.history(
                                c, district.code(), metric, resolution, from, to)))));
  }

  private void summary(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    Replies.reply(ctx, summaryRows().map(raw -> summary(raw, Instant.now())));
  }

  /**
   * One database round for every request within the cache period; requests during the round wait
   * for it.
   */
  private Future<JsonObject> summaryRows() {
    long now = System.nanoTime();
    if (summaryRows != null
        && (!summaryRows.isComplete() || now - summaryRowsAt < summaryCacheNanos)) {
      return summaryRows;
    }
    Instant at = Instant.now();
    Future<JsonObject> rows =
        db.query(
            c ->
                new JsonObject()
                    .put("stored", ReadQueries.storedSnapshots(c))
                    .put("counts", ReadQueries.counts(c))
                    .put("top_alerts", new JsonArray(ReadQueries.alerts(c, null, "raised", 5)))
                    .put(
                        "open_incidents",
                        new JsonArray(
                            ReadQueries.incidents(c, null, null, null, 50).stream()
                                .filter(i -> !"closed".equals(i.getString("state")))
                                .limit(10)
                                .toList()))
                    .put(
                        "cases",
                        CaseStats.rates(c, null, Instant.EPOCH, at.plusSeconds(1)).stream()
                            .findFirst()
                            .orElse(null)));
    summaryRows = rows;
    summaryRowsAt = now;
    rows.onFailure(e -> summaryRows = null);
    return rows;
  }

  /** Puts the city together on the event loop, where the live snapshots are. */
  private JsonObject summary(JsonObject raw, Instant now) {
    JsonObject stored = raw.getJsonObject("stored");
    JsonObject counts = raw.getJsonObject("counts");
    JsonArray districts = new JsonArray();
    double indexSum = 0;
    int indexed = 0;
    long online = 0;
    long total = 0;
    long openAlerts = 0;
    long openIncidents = 0;
    for (District d : seeds.districts()) {
      JsonObject snapshot = snapshotOf(d.code(), stored);
      JsonObject devices =
          counts.getJsonObject("devices").getJsonObject(d.code(), new JsonObject());
      long dOnline =
          snapshot != null ? snapshot.getLong("devices_online", 0L) : devices.getLong("online", 0L);
      long dTotal =
          snapshot != null ? snapshot.getLong("devices_total", 0L) : devices.getLong("total", 0L);
      long alerts = counts.getJsonObject("alerts").getLong(d.code(), 0L);
      long incidents = counts.getJsonObject("incidents").getLong(d.code(), 0L);
      Double index = snapshot == null ? null : snapshot.getDouble("situation_index");
      if (index != null) {
        indexSum += index;
        indexed++;
      }
      online += dOnline;
      total += dTotal;
      openAlerts += alerts;
      openIncidents += incidents;
      districts.add(
          new JsonObject()
              .put("code", d.code())
              .put("name_en", d.nameEn())
              .put("name_zh", d.nameZh())
              .put("situation_index", index)
              .put("online_rate", dTotal == 0 ? null : (double) dOnline / dTotal)
              .put("open_alerts", alerts)
              .put("open_incidents", incidents)
              .put("window_end", snapshot == null ? null : snapshot.getString("window_end")));
    }
    JsonObject cases = raw.getJsonObject("cases");
    return new JsonObject()
        .put("generated_at", now.toString())
        .put(
            "city",
            new JsonObject()
                .put("situation_index", indexed == 0 ? null : indexSum / indexed)
                .put("online_rate", total == 0 ? null : (double) online / total)
                .put("devices_online", online)
                .put("devices_total", total)
                .put("open_alerts", openAlerts)
                .put("open_incidents", openIncidents))
        .put("districts", districts)
        .put("top_alerts", raw.getJsonArray("top_alerts"))
        .put("open_incidents", raw.getJsonArray("open_incidents"))
        .put(
            "cases",
            new JsonObject()
                .put("total", cases == null ? 0L : cases.getLong("total"))
                .put("resolved", cases == null ? 0L : cases.getLong("resolved"))
                .put("resolution_rate", cases == null ? null : cases.getDouble("resolution_rate"))
                .put("sla_compliance", cases == null ? null : cases.getDouble("sla_compliance")));
  }

  private void devices(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    String district = optionalDistrict(ctx);
    String kind = Params.query(ctx, "kind");
    if (kind != null && seeds.deviceKind(kind).isEmpty()) {
      throw ApiException.badRequest("kind", "unknown device kind '" + kind + "'");
    }
    String deviceClass = Params.oneOf(ctx, "class", Set.of("sensor", "camera", "actuator"), null);
    Boolean online = Params.boolQuery(ctx, "online");
    int limit = Params.intQuery(ctx, "limit", 100, 1, 1000);
    int offset = Params.intQuery(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    Replies.reply(
        ctx,
        db.query(c -> ReadQueries.devices(c, district, kind, deviceClass, online, limit, offset)));
  }

  private void alerts(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    String district = optionalDistrict(ctx);
    String state = Params.oneOf(ctx, "state", Set.of("raised", "cleared"), null);
    int limit = Params.intQuery(ctx, "limit", 100, 1, 1000);
    Replies.reply(
        ctx,
        db.query(
            c ->
                new JsonObject()
                    .put("items", new JsonArray(ReadQueries.alerts(c, district, state, limit)))));
  }

  private void incidents(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    String district = optionalDistrict(ctx);
    String state = Params.oneOf(ctx, "state", Set.of("open", "responding", "closed"), null);
    int limit = Params.intQuery(ctx, "limit", 100, 1, 1000);
    Replies.reply(
        ctx,
        db.query(
            c ->
                new JsonObject()
                    .put(
                        "items",
                        new JsonArray(ReadQueries.incidents(c, district, state, null, limit)))));
  }

  private void incident(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    String id = ctx.pathParam("id");
    Replies.reply(
        ctx,
        db.query(c -> ReadQueries.incidents(c, null, null, id, 1))
            .map(
                rows -> {
                  if (rows.isEmpty()) {
                    throw ApiException.notFound("incident", id);
                  }
                  return rows.get(0);
                }));
  }

  private void accounting(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    String district = optionalDistrict(ctx);
    Replies.reply(
        ctx,
        db.query(
            c ->
                new JsonObject().put("items", new JsonArray(ReadQueries.accounting(c, district)))));
  }

  private Future<JsonObject> snapshots() {
    return db.query(ReadQueries::storedSnapshots);
  }

  /** The live topic's snapshot when one has arrived since start, else the stored one. */
  private JsonObject snapshotOf(String code, JsonObject stored) {
    JsonObject live = liveSnapshot.apply(code);
    return live != null ? live : stored.getJsonObject(code);
  }

  private static JsonObject describe(District d, JsonObject snapshot) {
    return new JsonObject()
        .put("code", d.code())
        .put("name_zh", d.nameZh())
        .put("name_en", d.nameEn())
        .put("lat", d.lat())
        .put("lon", d.lon())
        .put("area_km2", d.areaKm2())
        .put("population", d.population())
        .put("snapshot", snapshot);
  }

  private District district(String code) {
    return seeds.district(code).orElseThrow(() -> ApiException.notFound("district", code));
  }

  private String optionalDistrict(RoutingContext ctx) {
    String district = Params.query(ctx, "district");
    if (district != null && seeds.district(district).isEmpty()) {
      throw ApiException.badRequest(
          "district",
          "unknown district '"
              + district
              + "' (known: "
              + String.join(", ", seeds.districtCodes())
              + ")");
    }
    return district;
  }
}
