package io.citybrain.api.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The role a route needs, as a handler chained where the route is mounted: it reads the caller from
 * the verified token once, refuses with 403 when the role is missing, and leaves the caller on the
 * context for the handlers after it.
 */
public final class Access {
  private static final String CALLER = "citybrain.caller";

  private Access() {}

  /** 403 unless the caller has {@code role}; the JWT handler has already refused a bad token. */
  public static Handler<RoutingContext> requires(Role role) {
    return ctx -> {
      Caller caller = Caller.of(ctx.user());
      ctx.put(CALLER, caller);
      caller.require(role);
      ctx.next();
    };
  }

  /** The caller that {@link #requires} let through. */
  public static Caller caller(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER);
    if (caller == null) {
      // A route mounted without requires(...) is a wiring mistake, not the client's.
      throw new IllegalStateException("no role check before " + ctx.request().path());
    }
    return caller;
  }

  /** The caller when the token was verified, else null: for audit after a refusal. */
  public static Caller callerOrNull(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER);
    if (caller != null || ctx.user() == null) {
      return caller;
    }
    try {
      return Caller.of(ctx.user());
    } catch (ApiException e) {
      return null;
    }
  }
}
