package io.citybrain.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.citybrain.api.ApiConfig;
import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.auth.AuthRoutes;
import io.citybrain.api.auth.Caller;
import io.citybrain.api.auth.TokenService;
import io.citybrain.api.auth.UserStore;
import io.citybrain.api.cases.CameraCasePoller;
import io.citybrain.api.cases.CaseRoutes;
import io.citybrain.api.db.Db;
import io.citybrain.api.live.LiveFeed;
import io.citybrain.api.live.LiveHub;
import io.citybrain.api.read.PipelineRoutes;
import io.citybrain.api.read.ReadRoutes;
import io.citybrain.api.read.ReferenceRoutes;
import io.citybrain.api.response.Backoff;
import io.citybrain.api.response.ResponseDispatcher;
import io.citybrain.api.response.ResponseRoutes;
import io.citybrain.api.wall.WallRoutes;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.seeds.CitySeeds;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Command API's one HTTP server: the router (read side, auth, responses, cases, OpenAPI,
 * metrics, the wall page) and the live WebSocket. The hub, the live feed and the response
 * dispatcher live on this verticle's event loop.
 */
public final class ApiVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);
  static final String LIVE_PATH = "/api/v1/live";
  static final int MAX_BODY_BYTES = 64 * 1024;
  private final ApiConfig config;
  private final Db db;
  private final MqttConnection mqtt;
  private final TokenService tokens;
  private final UserStore users;
  private final PrometheusMeterRegistry registry;
  private final String openApiJson;
  private HttpServer server;
  private LiveHub hub;
  private ResponseDispatcher dispatcher;
  private CameraCasePoller poller;
  private long pollTimer = -1;
  private boolean polling;
  private final AtomicReference<LiveHub.LiveStats> liveStats = new AtomicReference<>();
  private final AtomicInteger activeRuns = new AtomicInteger();

  public ApiVerticle(
      ApiConfig config,
      Db db,
      MqttConnection mqtt,
      TokenService tokens,
      UserStore users,
      PrometheusMeterRegistry registry) {
    this.config = config;
    this.db = db;
    this.mqtt = mqtt;
    this.tokens = tokens;
    this.users = users;
    this.registry = registry;
    // Written as YAML for people, served as JSON: the validators and generators all read JSON.
    this.openApiJson = yamlToJson(resource("/openapi/command-api.yaml"));
  }

  @Override
  public Future<?> start() {
    CitySeeds seeds = config.seeds();
    LiveFeed[] feed = new LiveFeed[1];
    hub =
        new LiveHub(
            config.liveQueueLimit(),
            config.liveWriteQueueBytes(),
            new HashSet<>(seeds.districtCodes()),
            district -> feed[0].latest(district));
    feed[0] = new LiveFeed(context, hub);
    AuditLog audit = new AuditLog(db);
    dispatcher =
        new ResponseDispatcher(
            vertx,
            context,
            mqtt,
            db,
            hub,
            config.ackTimeout(),
            config.maxAttempts(),
            new Backoff(config.retryBackoff(), config.retryBackoffMax()));
    poller =
        new CameraCasePoller(
            seeds,
            db,
            config.caseMergeWindow(),
            config.caseMergeDistanceM(),
            config.caseMinConfidence());

    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/health").handler(this::health);
    router.get("/api/v1/openapi.json").handler(this::openApiJson);
    new WallRoutes().mount(router);
    AuthRoutes auth = new AuthRoutes(db, users, tokens, seeds).kdfOn(vertx);
    auth.mountPublic(router);
    router.route("/api/v1/*").handler(JWTAuthHandler.create(tokens.auth()));
    new ReadRoutes(seeds, db, district -> feed[0].latest(district), config.summaryCache())
        .mount(router);
    new ReferenceRoutes(seeds).mount(router);
    new PipelineRoutes(db).mount(router);
    auth.mount(router);
    new ResponseRoutes(seeds, db, audit, dispatcher).mount(router);
    new CaseRoutes(seeds, db, hub).mount(router);
    router
        .route()
        .last()
        .handler(
            ctx ->
                ctx.fail(
                    new ApiException(
                        404,
                        new JsonObject()
                            .put("error", "not_found")
                            .put(
                                "reason",
                                "no route "
                                    + ctx.request().method()
                                    + " "
                                    + ctx.request().path()))));
    router.route().failureHandler(this::failure);

    registerGauges();
    // The MQTT subscriptions hand messages to this context; they go in before the server takes
    // requests, so the
    // retained live snapshots are there for the first client.
    return vertx
        .executeBlocking(
            () -> {
              feed[0].subscribe(mqtt);
              dispatcher.subscribe();
              return null;
            })
        .compose(
            v -> {
              server =
                  vertx
                      .createHttpServer(
                          new HttpServerOptions()
                              .setHost(config.host())
                              .setPort(config.port())
                              .setCompressionSupported(false))
                      .requestHandler(router)
                      .webSocketHandshakeHandler(this::handshake)
                      .webSocketHandler(ws -> {});
              return server.listen();
            })
        .onSuccess(
            s -> {
              pollTimer =
                  vertx.setPeriodic(config.casePollInterval().toMillis(), id -> pollCases());
              LOG.info("Command API listening on port {}", s.actualPort());
            });
  }

  @Override
  public Future<?> stop() {
    if (pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
    }
    dispatcher.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** The hub's counters, read on its event loop. */
  public Future<LiveHub.LiveStats> liveStats() {
    Promise<LiveHub.LiveStats> promise = Promise.promise();
    context.runOnContext(v -> promise.complete(hub.stats()));
    return promise.future();
  }

  /** Runs one camera-case poll now (tests; the timer does it otherwise). */
  public Future<Integer> pollCasesNow() {
    Promise<Integer> promise = Promise.promise();
    context.runOnContext(
        v ->
            poller
                .poll()
                .onSuccess(
                    changes -> {
                      changes.forEach(c -> hub.event(c.getString("district"), "case", c));
                      promise.complete(changes.size());
                    })
                .onFailure(promise::fail));
    return promise.future();
  }

  private void pollCases() {
    if (polling) {
      return;
    }
    polling = true;
    poller
        .poll()
        .onComplete(
            ar -> {
              polling = false;
              if (ar.succeeded()) {
                ar.result().forEach(c -> hub.event(c.getString("district"), "case", c));
              } else {
                LOG.warn("camera case poll failed: {}", ar.cause().toString());
              }
            });
  }

  /**
   * WebSocket upgrade: the token comes as a bearer header or, for browsers, as access_token in the
   * query.
   */
  private void handshake(ServerWebSocketHandshake handshake) {
    if (!LIVE_PATH.equals(handshake.path())) {
      handshake.reject(404);
      return;
    }
    String token = bearer(handshake.headers().get("authorization"));
    if (token == null && handshake.query() != null) {
      for (String pair : handshake.query().split("&")) {
        if (pair.startsWith("access_token=")) {
          token = URLDecoder.decode(pair.substring(13), StandardCharsets.UTF_8);
        }
      }
    }
    if (token == null) {
      handshake.reject(401);
      return;
    }
    tokens
        .auth()
        .authenticate(new TokenCredentials(token))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                handshake.reject(401);
                return;
              }
              Caller caller;
              try {
                caller = Caller.of(ar.result());
              } catch (ApiException e) {
                handshake.reject(401);
                return;
              }
              handshake.accept().onSuccess(ws -> hub.add(ws, caller));
            });
  }

  private static String bearer(String header) {
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim()
        : null;
  }

  private void health(RoutingContext ctx) {
    Replies.json(
        ctx,
        mqtt.isConnected() ? 200 : 503,
        new JsonObject()
            .put("status", mqtt.isConnected() ? "up" : "degraded")
            .put("mqtt", mqtt.isConnected()));
  }

  private void openApiJson(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(openApiJson);
  }

  /**
   * Every failure as JSON: ours carry their status and body; web handlers' (401 from JWT) their
   * status.
   */
  private void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (ctx.response().ended()) {
      return;
    }
    if (failure instanceof ApiException e) {
      Replies.json(ctx, e.status(), e.body());
      return;
    }
    int status = failure instanceof HttpException h ? h.getStatusCode() : ctx.statusCode();
    if (status == 413) {
      Replies.json(
          ctx,
          413,
          new JsonObject()
              .put("error", "too_large")
              .put("reason", "the body exceeds " + MAX_BODY_BYTES + " bytes"));
    } else if (status == 401) {
      Replies.json(
          ctx,
          401,
          new JsonObject()
              .put("error", "unauthorized")
              .put("reason", "a valid bearer token is required (POST /api/v1/auth/login)"));
    } else if (status >= 400 && status < 500) {
      Replies.json(
          ctx,
          status,
          new JsonObject()
              .put("error", "bad_request")
              .put(
                  "reason",
                  failure == null ? "request refused" : String.valueOf(failure.getMessage())));
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      Replies.json(
          ctx, 500, new JsonObject().put("error", "internal").put("reason", "see the server log"));
    }
  }

  private void registerGauges() {
    Gauge.builder("citybrain_api_live_clients", () -> cachedStats().clients()).register(registry);
    Gauge.builder("citybrain_api_live_dropped_events", () -> cachedStats().dropped())
        .register(registry);
    Gauge.builder("citybrain_api_live_conflated_snapshots", () -> cachedStats().conflated())
        .register(registry);
    Gauge.builder("citybrain_api_active_runs", activeRuns, AtomicInteger::get).register(registry);
    // Sampled on the event loop, which owns the hub and the dispatcher; the scrape reads the
    // sample.
    vertx.setPeriodic(1000, id -> sampleGauges());
    sampleGauges();
  }

  private void sampleGauges() {
    liveStats.set(hub.stats());
    activeRuns.set(dispatcher.activeRuns());
  }

  private LiveHub.LiveStats cachedStats() {
    return liveStats.get();
  }

  private static String resource(String path) {
    try (InputStream in = ApiVerticle.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String yamlToJson(String yaml) {
    try {
      return new ObjectMapper()
          .writeValueAsString(new ObjectMapper(new YAMLFactory()).readTree(yaml));
    } catch (IOException e) {
      throw new IllegalStateException(
          "the OpenAPI document is not valid YAML: " + e.getMessage(), e);
    }
  }
}
