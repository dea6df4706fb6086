package io.citybrain.api.wall;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The command-center wall: a static page (plain HTML, ES modules, CSS, no build step) from the
 * classpath folder {@code wall/}, and the charting WebJar's files under {@code /webjars/}. The page
 * signs in with {@code POST /api/v1/auth/login} and then uses the REST routes and the live
 * WebSocket like any other client; nothing here needs a token, the data behind it does.
 */
public final class WallRoutes {
  /** The page's folder on the classpath (src/main/resources/wall). */
  static final String PAGE_ROOT = "wall";

  /** Where every WebJar keeps its files. */
  static final String WEBJARS_ROOT = "META-INF/resources/webjars";

  public void mount(Router router) {
    router.get("/").handler(ctx -> ctx.redirect("/wall/"));
    // The page changes with the server it comes from: browsers revalidate it; the WebJar is
    // versioned by its path.
    router
        .get("/wall/*")
        .handler(
            StaticHandler.create(PAGE_ROOT)
                .setCachingEnabled(false)
                .setMaxAgeSeconds(0)
                .setDirectoryListing(false));
    router
        .get("/webjars/*")
        .handler(
            StaticHandler.create(WEBJARS_ROOT).setMaxAgeSeconds(86_400).setDirectoryListing(false));
  }
}
