package io.citybrain.api.notify;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.auth.AuditTrail;
import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.seeds.CitySeeds;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Admins' webhook subscriptions: create (the secret shown once), list, delete (deactivate) and the
 * recent deliveries of one. A district-scoped admin subscribes to its own districts only.
 */
public final class WebhookRoutes {
  private final Vertx vertx;
  private final CitySeeds seeds;
  private final WebhookStore store;
  private final UrlPolicy policy;

  public WebhookRoutes(Vertx vertx, CitySeeds seeds, WebhookStore store, UrlPolicy policy) {
    this.vertx = vertx;
    this.seeds = seeds;
    this.store = store;
    this.policy = policy;
  }

  public void mount(Operations ops) {
    ops.get("createWebhook").addHandler(requires(Role.ADMIN)).addHandler(this::create);
    ops.get("listWebhooks")
        .addHandler(requires(Role.ADMIN))
        .addHandler(ctx -> Replies.reply(ctx, store.list(Access.caller(ctx))));
    ops.get("deleteWebhook")
        .addHandler(requires(Role.ADMIN))
        .addHandler(ctx -> Replies.reply(ctx, store.deactivate(id(ctx), Access.caller(ctx))));
    ops.get("listWebhookDeliveries")
        .addHandler(requires(Role.ADMIN))
        .addHandler(
            ctx ->
                Replies.reply(
                    ctx,
                    store.deliveries(
                        id(ctx), Params.integer(ctx, "limit", 100), Access.caller(ctx))));
  }

  private void create(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    JsonObject body = Params.body(ctx);
    String name = body.getString("name");
    ctx.put(AuditTrail.TARGET, name);
    List<String> events = events(body.getJsonArray("events"));
    Set<String> districts = districts(body.getJsonArray("districts"));
    if (!caller.districts().isEmpty()
        && (districts.isEmpty() || !caller.districts().containsAll(districts))) {
      throw ApiException.forbidden(
          "caller '"
              + caller.name()
              + "' may subscribe to "
              + String.join(", ", new TreeSet<>(caller.districts()))
              + " only: name them in districts");
    }
    String url = body.getString("url");
    // The host is looked up (DNS): off the event loop.
    Replies.reply(
        ctx,
        201,
        vertx
            .executeBlocking(() -> policy.checked(url), false)
            .compose(
                uri ->
                    store.create(
                        new WebhookStore.Subscription(name, uri, events, districts), caller)));
  }

  /** Known event types, each once, in the order given; 400 listing the known ones otherwise. */
  private static List<String> events(JsonArray requested) {
    Set<String> events = new LinkedHashSet<>();
    for (Object e : requested) {
      if (!(e instanceof String type) || !EventTypes.known(type)) {
        throw ApiException.badRequest(
            "events",
            "unknown event type '" + e + "' (known: " + String.join(", ", EventTypes.ALL) + ")");
      }
      events.add(type);
    }
    return new ArrayList<>(events);
  }

  /** Known district codes; none (or null) is every district. */
  private Set<String> districts(JsonArray requested) {
    Set<String> districts = new TreeSet<>();
    for (Object d : requested == null ? new JsonArray() : requested) {
      Params.district(seeds, "districts", (String) d);
      districts.add((String) d);
    }
    return districts;
  }

  private static long id(RoutingContext ctx) {
    return Long.parseLong(ctx.pathParam("id"));
  }
}
