package io.citybrain.api.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/**
 * The headers every answer carries, the wall's and the API's: a Content-Security-Policy that runs
 * only the server's own scripts and lets no page frame ours, no MIME sniffing, no referrer; API
 * answers are never stored by a cache (they hold a user's view of the city).
 */
public final class SecurityHeaders implements Handler<RoutingContext> {
  /**
   * Scripts, connections and everything else from this origin only; no inline script. Inline styles
   * stay allowed: the charts set element styles from their code.
   */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none';"
          + " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  @Override
  public void handle(RoutingContext ctx) {
    MultiMap headers = ctx.response().headers();
    headers
        .set("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .set("X-Frame-Options", "DENY")
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("Cross-Origin-Opener-Policy", "same-origin");
    if (!isStatic(ctx.request().path())) {
      headers.set("Cache-Control", "no-store");
    }
    ctx.next();
  }

  /** The wall's files and the WebJars: the static handler says how they are cached. */
  private static boolean isStatic(String path) {
    return path != null && (path.startsWith("/wall/") || path.startsWith("/webjars/"));
  }
}
