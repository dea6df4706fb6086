package io.citybrain.api.auth;

import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.Replies;
import io.citybrain.seeds.CitySeeds;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashSet;
import java.util.Set;

/** Login (password to JWT), user creation by admins, and reading the audit log. */
public final class AuthRoutes {
  private final Db db;
  private final UserStore users;
  private final TokenService tokens;
  private final CitySeeds seeds;

  public AuthRoutes(Db db, UserStore users, TokenService tokens, CitySeeds seeds) {
    this.db = db;
    this.users = users;
    this.tokens = tokens;
    this.seeds = seeds;
  }

  /** Login is public: mount it before the authentication handler. */
  public void mountPublic(Router router) {
    router.post("/api/v1/auth/login").handler(this::login);
  }

  public void mount(Router router) {
    router.post("/api/v1/users").handler(this::createUser);
    router.get("/api/v1/audit").handler(this::audit);
  }

  /** At most this many password checks at once; more logins wait their turn. */
  static final int KDF_WORKERS = 2;

  private WorkerExecutor kdf;

  /** The bounded pool the password checks run on. */
  public AuthRoutes kdfOn(Vertx vertx) {
    kdf = vertx.createSharedWorkerExecutor("citybrain-api-kdf", KDF_WORKERS);
    return this;
  }

  private void login(RoutingContext ctx) {
    JsonObject body = Params.body(ctx);
    String username = Params.requiredString(body, "username", 64);
    String password = Params.requiredString(body, "password", 200);
    // The hash is checked on the KDF workers, not while holding a database connection: a burst of
    // logins (each
    // check takes a quarter of a second by design) must not take every connection the API's reads
    // and writes need.
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
    Caller caller = Caller.of(ctx.user());
    caller.require(Role.ADMIN);
    JsonObject body = Params.body(ctx);
    String username = Params.requiredString(body, "username", 64);
    if (!username.matches("[a-z0-9_.-]{1,64}")) {
      throw ApiException.badRequest("username", "must be 1-64 of a-z, 0-9, '_', '.', '-'");
    }
    String password = Params.requiredString(body, "password", 72);
    if (password.length() < 12) {
      throw ApiException.badRequest("password", "must be at least 12 characters");
    }
    String roleId = Params.requiredString(body, "role", 20);
    Role role =
        Role.parse(roleId)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "role",
                        "must be one of viewer, operator, coordinator, admin, was '"
                            + roleId
                            + "'"));
    Set<String> districts = new LinkedHashSet<>();
    Object raw = body.getValue("districts");
    if (raw != null && !(raw instanceof JsonArray)) {
      throw ApiException.badRequest("districts", "must be an array of district codes");
    }
    for (Object d : body.getJsonArray("districts", new JsonArray())) {
      if (!(d instanceof String code) || seeds.district(code).isEmpty()) {
        throw ApiException.badRequest("districts", "unknown district '" + d + "'");
      }
      districts.add(code);
    }
    // An admin of some districts grants no more than those: no unscoped users, none outside its own
    // districts.
    if (!caller.districts().isEmpty()
        && (districts.isEmpty() || !caller.districts().containsAll(districts))) {
      throw ApiException.forbidden(
          "districts must be within your own: " + String.join(", ", caller.districts()));
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > 72) {
      throw ApiException.badRequest("password", "bcrypt takes at most 72 bytes (UTF-8)");
    }
    Replies.reply(
        ctx,
        201,
        db.transaction(
            c -> {
              users.put(c, username, password, role, districts);
              AuditLog.append(
                  c,
                  new AuditLog.Entry(
                      caller.name(),
                      "create_user",
                      username,
                      null,
                      null,
                      "allowed",
                      new JsonObject().put("role", role.id())));
              return new JsonObject()
                  .put("username", username)
                  .put("role", role.id())
                  .put("districts", new JsonArray(districts.stream().sorted().toList()));
            }));
  }

  private void audit(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.ADMIN);
    int limit = Params.intQuery(ctx, "limit", 100, 1, 1000);
    String action = Params.query(ctx, "action");
    Replies.reply(
        ctx,
        db.query(
            c -> {
              String sql =
                  "SELECT id, at, actor, action, target, district, request_id, outcome, detail FROM audit_log"
                      + (action == null ? "" : " WHERE action = ?")
                      + " ORDER BY id DESC LIMIT ?";
              try (PreparedStatement ps =
                      action == null
                          ? Rows.bind(c.prepareStatement(sql), limit)
                          : Rows.bind(c.prepareStatement(sql), action, limit);
                  ResultSet rs = ps.executeQuery()) {
                return new JsonObject().put("items", new JsonArray(Rows.all(rs)));
              }
            }));
  }
}
