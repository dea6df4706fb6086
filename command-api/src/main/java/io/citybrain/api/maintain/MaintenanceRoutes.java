package io.citybrain.api.maintain;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.auth.AuditTrail;
import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.seeds.AlertRule;
import io.citybrain.seeds.CitySeeds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Maintenance windows: operators and up create, list and end them within their districts; a raise
 * in a window is stored muted (see V17). Alerts are per rule and district and name no device, so a
 * window covers a district or one rule in it.
 */
public final class MaintenanceRoutes {
  /** The longest window: maintenance, not a way to switch a rule off. */
  static final Duration MAX_LENGTH = Duration.ofDays(7);

  private final CitySeeds seeds;
  private final MaintenanceStore store;
  private final ActiveWindows windows;
  private final Clock clock;

  public MaintenanceRoutes(
      CitySeeds seeds, MaintenanceStore store, ActiveWindows windows, Clock clock) {
    this.seeds = seeds;
    this.store = store;
    this.windows = windows;
    this.clock = clock;
  }

  public void mount(Operations ops) {
    ops.get("createMaintenanceWindow").addHandler(requires(Role.OPERATOR)).addHandler(this::create);
    ops.get("listMaintenanceWindows").addHandler(requires(Role.OPERATOR)).addHandler(this::list);
    ops.get("endMaintenanceWindow").addHandler(requires(Role.OPERATOR)).addHandler(this::end);
  }

  private void create(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    JsonObject body = Params.body(ctx);
    String district = Params.district(seeds, "district", body.getString("district"));
    ctx.put(AuditTrail.TARGET, district);
    String kind = body.getString("scope_kind");
    String value = body.getString("scope_value");
    switch (kind) {
      case "district" -> {
        if (value != null && !value.equals(district)) {
          throw ApiException.badRequest(
              "scope_value", "a district window's scope_value is its district, " + district);
        }
        value = district;
      }
      case "rule" -> {
        String rule = value;
        if (rule == null) {
          throw ApiException.badRequest("scope_value", "is required: the rule id to mute");
        }
        if (seeds.alertRules().stream().map(AlertRule::id).noneMatch(rule::equals)) {
          throw ApiException.badRequest("scope_value", "unknown alert rule '" + rule + "'");
        }
      }
      case "device" ->
          throw ApiException.badRequest(
              "scope_kind",
              "alerts are raised per rule and district and name no device: mute the device's"
                  + " district or rule instead");
      default ->
          throw ApiException.badRequest(
              "scope_kind", "unknown scope kind '" + kind + "' (known: district, rule)");
    }
    Instant now = clock.instant();
    Instant starts =
        body.getString("starts_at") == null
            ? now
            : instant(body.getString("starts_at"), "starts_at");
    Instant ends = instant(body.getString("ends_at"), "ends_at");
    if (!ends.isAfter(starts)) {
      throw ApiException.badRequest("ends_at", "must be after starts_at (" + starts + ")");
    }
    if (!ends.isAfter(now)) {
      throw ApiException.badRequest(
          "ends_at", "is past (" + ends + "): the window would mute nothing");
    }
    if (Duration.between(starts, ends).compareTo(MAX_LENGTH) > 0) {
      throw ApiException.badRequest(
          "ends_at", "a window lasts at most " + MAX_LENGTH.toDays() + " days");
    }
    caller.requireDistrict(district);
    MaintenanceStore.Window window =
        new MaintenanceStore.Window(kind, value, district, starts, ends, body.getString("reason"));
    Replies.reply(ctx, 201, store.create(window, caller).compose(w -> windows.refresh().map(w)));
  }

  private void list(RoutingContext ctx) {
    ReadScope scope =
        ReadScope.of(
            Access.caller(ctx), Params.district(seeds, "district", Params.query(ctx, "district")));
    Replies.reply(
        ctx,
        store
            .list(scope, Params.bool(ctx, "active"), Params.integer(ctx, "limit", 100))
            .map(items -> new JsonObject().put("items", new JsonArray(items))));
  }

  private void end(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    ctx.put(AuditTrail.TARGET, raw);
    long id;
    try {
      id = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("id", "not a window id: '" + raw + "'");
    }
    Replies.reply(ctx, store.end(id, Access.caller(ctx)).compose(w -> windows.refresh().map(w)));
  }

  private static Instant instant(String text, String field) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException | NullPointerException e) {
      throw ApiException.badRequest(field, "not an ISO-8601 instant: '" + text + "'");
    }
  }
}
