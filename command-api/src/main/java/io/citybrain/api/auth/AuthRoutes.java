package io.citybrain.api.auth;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.db.Db;
import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.seeds.CitySeeds;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/** Login (password to JWT), user creation by admins, and reading the audit log. */
public final class AuthRoutes {
  /** At most this many password checks at once; more logins wait their turn. */
  static final int KDF_WORKERS = 2;

  private final Db db;
  private final UserStore users;
  private final TokenService tokens;
  private final AuditLog audit;
  private final CitySeeds seeds;
  private final WorkerExecutor kdf;

  public AuthRoutes(
      Vertx vertx, Db db, UserStore users, TokenService tokens, AuditLog audit, CitySeeds seeds) {
    this.db = db;
    this.users = users;
    this.tokens = tokens;
    this.audit = audit;
    this.seeds = seeds;
    this.kdf = vertx.createSharedWorkerExecutor("citybrain-api-kdf", KDF_WORKERS);
  }

  public void mount(Operations ops) {
    ops.get("login").addHandler(this::login);
    ops.get("createUser").addHandler(requires(Role.ADMIN)).addHandler(this::createUser);
    ops.get("listAudit").addHandler(requires(Role.ADMIN)).addHandler(this::audit);
  }

  private void login(RoutingContext ctx) {
    JsonObject body = Params.body(ctx);
    String username = body.getString("username");
    String password = body.getString("password");
    // The hash is checked on the KDF workers, not while holding a database connection: a burst of
    // logins (each check takes a quarter of a second by design) must not take every connection the
    // API's reads and writes need.
    Replies.reply(
        ctx,
        db.query(c -> users.lookup(c, username))
            .compose(
                credentials -> kdf.executeBlocking(() -> users.check(credentials, password), false))
            .map(
                found -> {
                  UserStore.StoredUser user =
                      found.orElseThrow(
                          () -> ApiException.unauthorized("unknown user or wrong password"));
                  return new JsonObject()
                      .put("token", tokens.issue(user))
                      .put("token_type", "Bearer")
                      .put("expires_in", tokens.ttl().toSeconds())
                      .put("username", user.username())
                      .put("role", user.role().id())
                      .put("districts", new JsonArray(user.districts().stream().sorted().toList()));
                }));
  }

  private void createUser(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    JsonObject body = Params.body(ctx);
    String username = body.getString("username");
    String password = body.getString("password");
    Role role = Role.parse(body.getString("role")).orElseThrow();
    Set<String> districts = new LinkedHashSet<>();
    JsonArray requested = body.getJsonArray("districts");
    for (Object d : requested == null ? new JsonArray() : requested) {
      if (seeds.district((String) d).isEmpty()) {
        throw ApiException.badRequest("districts", "unknown district '" + d + "'");
      }
      districts.add((String) d);
    }
    // An admin of some districts grants no more than those: no unscoped users, none outside its own
    // districts.
    if (!caller.districts().isEmpty()
        && (districts.isEmpty() || !caller.districts().containsAll(districts))) {
      throw ApiException.forbidden(
          "districts must be within your own: " + String.join(", ", caller.districts()));
    }
    // The document counts characters; bcrypt reads bytes.
    if (password.getBytes(StandardCharsets.UTF_8).length > PasswordHasher.MAX_PASSWORD_BYTES) {
      throw ApiException.badRequest("password", "bcrypt takes at most 72 bytes (UTF-8)");
    }
    Replies.reply(
        ctx,
        201,
        db.transaction(c -> users.create(c, username, password, role, districts, caller.name())));
  }

  private void audit(RoutingContext ctx) {
    Replies.reply(
        ctx, audit.recent(Params.integer(ctx, "limit", 100), Params.query(ctx, "action")));
  }
}
