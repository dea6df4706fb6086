package io.citybrain.api.auth;

import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiException;
import io.citybrain.api.http.Caller;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Params;
import io.citybrain.api.http.Unavailable;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place refusals are audited: mounted on every operation that changes something (every
 * method but GET) and on the audit read, it writes one audit row per refused request (bad token,
 * role, scope, state, body, rate limit) before the router answers. Allowed changes are audited by
 * their store in the change's own transaction; allowed logins and audit reads through {@link
 * #allowed}.
 */
public final class AuditTrail {
  /** Context key: what a refusal was about (a run, a case, a user) when no path parameter says. */
  public static final String TARGET = "citybrain.audit.target";

  /** Context key: who asked when no verified token says (the username a login names). */
  public static final String ACTOR = "citybrain.audit.actor";

  /** Actions whose audit name predates this class and is kept for the rows already written. */
  private static final Map<String, String> ACTIONS = Map.of("transitionCase", "case_transition");

  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
  private final AuditLog log;

  public AuditTrail(AuditLog log) {
    this.log = log;
  }

  /** Adds the refusal audit to every mutating operation of the document and to the audit read. */
  public void mount(Operations ops) {
    ops.contract()
        .operations()
        .forEach(
            operation -> {
              String id = operation.getOperationId();
              if (operation.getHttpMethod() != HttpMethod.GET || id.equals("listAudit")) {
                ops.get(id).addFailureHandler(refusals(action(id)));
              }
            });
  }

  /** The audit action of an operation: its id in snake case (triggerResponse: trigger_response). */
  public static String action(String operationId) {
    return ACTIONS.getOrDefault(
        operationId, operationId.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT));
  }

  /** An allowed decision that changes nothing in the database (a login, an audit read). */
  public Future<Void> allowed(RoutingContext ctx, String action, JsonObject detail) {
    return log.append(entry(ctx, action, "allowed", detail));
  }

  private Handler<RoutingContext> refusals(String action) {
    return ctx -> {
      int status = status(ctx);
      if (status < 400 || status >= 600) {
        ctx.next();
        return;
      }
      JsonObject detail =
          ctx.failure() instanceof ApiException e
              ? e.body().copy()
              : new JsonObject().put("reason", String.valueOf(ctx.failure()));
      detail.put("status", status);
      if (ctx.failure() instanceof Unavailable) {
        // A token that could not be checked is no authentication failure of anyone. The database
        // just failed the check: the row is written when it can be, the answer does not wait for
        // a second pool timeout.
        appendWhenItCan(ctx.vertx(), entry(ctx, action, "unavailable", detail), UNAVAILABLE_TRIES);
        ctx.next();
        return;
      }
      // An audit row that cannot be written must not turn the refusal into something else.
      log.append(entry(ctx, action, outcome(status), detail)).onComplete(ar -> ctx.next());
    };
  }

  /**
   * How often the row of a refusal the database caused is tried, 2 s apart after each pool timeout:
   * about five minutes, past a database restart or pause.
   */
  private static final int UNAVAILABLE_TRIES = 60;

  /** Appends the row, again after 2 s while the database cannot take it, {@code tries} times. */
  private void appendWhenItCan(Vertx vertx, AuditLog.Entry entry, int tries) {
    log.append(entry)
        .onFailure(
            e -> {
              if (tries > 1) {
                vertx.setTimer(2_000, t -> appendWhenItCan(vertx, entry, tries - 1));
              } else {
                LOG.warn("audit row of {} lost: {}", entry.action(), e.toString());
              }
            });
  }

  private static int status(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException e) {
      return e.status();
    }
    if (failure instanceof HttpException h) {
      return h.getStatusCode();
    }
    return ctx.statusCode() == -1 ? 500 : ctx.statusCode();
  }

  private static String outcome(int status) {
    return switch (status) {
      case 401 -> "unauthenticated";
      case 403 -> "denied";
      case 404 -> "not_found";
      case 409 -> "conflict";
      case 422 -> "mismatch";
      case 429 -> "limited";
      case 503 -> "busy";
      default -> status >= 500 ? "failed" : "invalid";
    };
  }

  private static AuditLog.Entry entry(
      RoutingContext ctx, String action, String outcome, JsonObject detail) {
    Caller caller = Access.callerOrNull(ctx);
    String named = ctx.get(ACTOR);
    String actor = caller != null ? caller.name() : named != null ? named : "anonymous";
    String target = ctx.get(TARGET);
    if (target == null && !ctx.pathParams().isEmpty()) {
      target = ctx.pathParams().values().iterator().next();
    }
    JsonObject withIp =
        (detail == null ? new JsonObject() : detail)
            .put(
                "ip",
                ctx.request().remoteAddress() == null
                    ? null
                    : ctx.request().remoteAddress().hostAddress());
    return new AuditLog.Entry(
        actor,
        action,
        target,
        Params.bodyString(ctx, "district"),
        Params.bodyString(ctx, "request_id"),
        outcome,
        withIp);
  }
}
