package io.citybrain.api.auth;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.db.Db;
import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.api.http.Unavailable;
import io.citybrain.seeds.CitySeeds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Login (password to JWT, rate-limited, on a bounded queue of password checks), creating and
 * changing users by admins within their own authority (a change revokes the user's tokens and tells
 * {@code revoked}, which ends its live sockets), and reading the audit log.
 */
public final class AuthRoutes {
  /** At most this many password checks at once; more logins wait their turn. */
  static final int KDF_WORKERS = 2;

  /**
   * At most this many logins waiting for or in a password check; more are 503 at once rather than
   * queueing for seconds (bcrypt takes ~0.25 s each by design).
   */
  static final int KDF_QUEUE = 16;

  private final Db db;
  private final UserStore users;
  private final TokenService tokens;
  private final AuditLog audit;
  private final AuditTrail trail;
  private final CitySeeds seeds;
  private final WorkerExecutor kdf;
  private final LoginThrottle throttle;
  private final AtomicInteger checking = new AtomicInteger();
  private final Consumer<String> revoked;

  public AuthRoutes(
      Vertx vertx,
      Db db,
      UserStore users,
      TokenService tokens,
      AuditLog audit,
      CitySeeds seeds,
      LoginThrottle throttle,
      Consumer<String> revoked) {
    this.db = db;
    this.revoked = revoked;
    this.users = users;
    this.tokens = tokens;
    this.audit = audit;
    this.trail = new AuditTrail(audit);
    this.seeds = seeds;
    this.throttle = throttle;
    this.kdf = vertx.createSharedWorkerExecutor("citybrain-api-kdf", KDF_WORKERS);
  }

  public void mount(Operations ops) {
    ops.get("login").addHandler(this::login);
    ops.get("createUser").addHandler(requires(Role.ADMIN)).addHandler(this::createUser);
    ops.get("updateUser").addHandler(requires(Role.ADMIN)).addHandler(this::updateUser);
    ops.get("listAudit").addHandler(requires(Role.ADMIN)).addHandler(this::audit);
  }

  private void login(RoutingContext ctx) {
    JsonObject body = Params.body(ctx);
    String username = body.getString("username");
    String password = body.getString("password");
    String address = ctx.request().remoteAddress().hostAddress();
    ctx.put(AuditTrail.ACTOR, username);
    // Refused before any hashing: a flood of guesses costs a map lookup each, not a bcrypt.
    Optional<Duration> wait = throttle.admit(address, username);
    if (wait.isPresent()) {
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      ctx.response().putHeader("Retry-After", Long.toString(seconds));
      throw new ApiException(
          429,
          new JsonObject()
              .put("error", "too_many_requests")
              .put(
                  "reason",
                  "too many login attempts for this user or from this address; retry in "
                      + seconds
                      + " s"));
    }
    if (checking.incrementAndGet() > KDF_QUEUE) {
      checking.decrementAndGet();
      // Not checked, so not counted: the client may retry once the queue drains.
      throttle.giveBack(address, username);
      ctx.response().putHeader("Retry-After", "1");
      throw new ApiException(
          503,
          new JsonObject()
              .put("error", "busy")
              .put("reason", "too many logins in progress; retry in 1 s"));
    }
    // The hash is checked on the KDF workers, not while holding a database connection: a burst of
    // logins must not take every connection the API's reads and writes need.
    db.query(c -> users.lookup(c, username))
        .recover(
            e -> {
              // Not checked, so not counted; and no wrong password: the client retries.
              throttle.giveBack(address, username);
              return Future.failedFuture(
                  new Unavailable(
                      "cannot check the password right now (the user database is unreachable);"
                          + " retry in "
                          + RevocableTokens.RETRY_AFTER_SECONDS
                          + " s",
                      RevocableTokens.RETRY_AFTER_SECONDS));
            })
        .compose(
            credentials -> kdf.executeBlocking(() -> users.check(credentials, password), false))
        .onComplete(ar -> checking.decrementAndGet())
        .map(
            found ->
                found.orElseThrow(
                    () -> ApiException.unauthorized("unknown user or wrong password")))
        .compose(
            user -> {
              throttle.giveBack(address, username);
              return trail
                  .allowed(ctx, "login", new JsonObject().put("role", user.role().id()))
                  .map(v -> user);
            })
        .map(
            user ->
                new JsonObject()
                    .put("token", tokens.issue(user))
                    .put("token_type", "Bearer")
                    .put("expires_in", tokens.ttl().toSeconds())
                    .put("username", user.username())
                    .put("role", user.role().id())
                    .put("districts", new JsonArray(user.districts().stream().sorted().toList())))
        .onSuccess(reply -> Replies.json(ctx, 200, reply))
        .onFailure(ctx::fail);
  }

  private void createUser(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    JsonObject body = Params.body(ctx);
    String username = body.getString("username");
    ctx.put(AuditTrail.TARGET, username);
    String password = checkedPassword(body.getString("password"));
    Role role = Role.parse(body.getString("role")).orElseThrow();
    Set<String> districts = districts(body.getJsonArray("districts"));
    UserPolicy.refuseCreate(caller, role, districts)
        .ifPresent(
            reason -> {
              throw ApiException.forbidden(reason);
            });
    Replies.reply(
        ctx,
        201,
        db.transaction(c -> users.create(c, username, password, role, districts, caller.name())));
  }

  private void updateUser(RoutingContext ctx) {
    Caller caller = Access.caller(ctx);
    String username = ctx.pathParam("username");
    JsonObject body = Params.body(ctx);
    UserStore.Change change =
        new UserStore.Change(
            body.getString("password") == null ? null : checkedPassword(body.getString("password")),
            body.getString("role") == null
                ? null
                : Role.parse(body.getString("role")).orElseThrow(),
            body.containsKey("districts") ? districts(body.getJsonArray("districts")) : null,
            body.getBoolean("disabled"));
    Replies.reply(
        ctx,
        db.transaction(
                c -> {
                  UserStore.Account target =
                      users
                          .account(c, username)
                          .orElseThrow(() -> ApiException.notFound("user", username));
                  // The target's stored role and scope decide, not what the request says it is.
                  UserPolicy.refuseUpdate(caller, target, change)
                      .ifPresent(
                          reason -> {
                            throw ApiException.forbidden(reason);
                          });
                  return users.update(c, target, change, caller.name());
                })
            // Committed: the user's tokens are refused from now on; its live sockets end too.
            .onSuccess(user -> revoked.accept(username)));
  }

  /** Known district codes; empty (or null) is every district. */
  private Set<String> districts(JsonArray requested) {
    Set<String> districts = new LinkedHashSet<>();
    for (Object d : requested == null ? new JsonArray() : requested) {
      if (seeds.district((String) d).isEmpty()) {
        throw ApiException.badRequest("districts", "unknown district '" + d + "'");
      }
      districts.add((String) d);
    }
    return districts;
  }

  private static String checkedPassword(String password) {
    // The document counts characters; bcrypt reads bytes.
    if (password.getBytes(StandardCharsets.UTF_8).length > PasswordHasher.MAX_PASSWORD_BYTES) {
      throw ApiException.badRequest("password", "bcrypt takes at most 72 bytes (UTF-8)");
    }
    return password;
  }

  private void audit(RoutingContext ctx) {
    int limit = Params.integer(ctx, "limit", 100);
    String action = Params.query(ctx, "action");
    // Reading the audit is itself audited, before the rows are read: who looked at what.
    Replies.reply(
        ctx,
        trail
            .allowed(ctx, "list_audit", new JsonObject().put("limit", limit).put("action", action))
            .compose(v -> audit.recent(limit, action, ReadScope.of(Access.caller(ctx)))));
  }
}
