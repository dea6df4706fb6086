package io.citybrain.api;

import io.citybrain.api.auth.AuditLog;
import io.citybrain.api.auth.AuditTrail;
import io.citybrain.api.auth.AuthRoutes;
import io.citybrain.api.auth.LoginThrottle;
import io.citybrain.api.auth.TokenService;
import io.citybrain.api.auth.UserStore;
import io.citybrain.api.cases.CameraCasePoller;
import io.citybrain.api.cases.CasePolling;
import io.citybrain.api.cases.CaseRoutes;
import io.citybrain.api.cases.CaseStore;
import io.citybrain.api.db.Db;
import io.citybrain.api.db.LeaderLease;
import io.citybrain.api.escalate.EscalationScan;
import io.citybrain.api.escalate.Escalator;
import io.citybrain.api.escalate.HandoverRoutes;
import io.citybrain.api.escalate.HandoverStore;
import io.citybrain.api.http.ApiDocument;
import io.citybrain.api.http.Failures;
import io.citybrain.api.http.Operations;
import io.citybrain.api.live.LiveDrops;
import io.citybrain.api.live.LiveFeed;
import io.citybrain.api.live.LiveHandshake;
import io.citybrain.api.live.LiveHub;
import io.citybrain.api.maintain.ActiveWindows;
import io.citybrain.api.maintain.MaintenanceRoutes;
import io.citybrain.api.maintain.MaintenanceStore;
import io.citybrain.api.notify.UrlPolicy;
import io.citybrain.api.notify.WebhookRoutes;
import io.citybrain.api.notify.WebhookSender;
import io.citybrain.api.notify.WebhookStore;
import io.citybrain.api.ops.AtLeastOnceRisk;
import io.citybrain.api.ops.OpsRoutes;
import io.citybrain.api.ops.SampledGauges;
import io.citybrain.api.read.PipelineRoutes;
import io.citybrain.api.read.ReadRoutes;
import io.citybrain.api.read.ReadStore;
import io.citybrain.api.read.ReferenceRoutes;
import io.citybrain.api.response.Backoff;
import io.citybrain.api.response.DeviceCommandRoutes;
import io.citybrain.api.response.DeviceCommands;
import io.citybrain.api.response.LeaderAckSession;
import io.citybrain.api.response.PlanRuns;
import io.citybrain.api.response.ResponseDispatcher;
import io.citybrain.api.response.ResponseRoutes;
import io.citybrain.api.wall.WallRoutes;
import io.citybrain.api.work.TaskList;
import io.citybrain.api.work.WorkRoutes;
import io.citybrain.api.work.WorkStore;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.seeds.CitySeeds;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Command API's one HTTP server, wired: the live hub and feed, the response dispatcher and the
 * case poll on this verticle's event loop; the routes from the OpenAPI document, each feature
 * mounting its operations; the wall page beside them; the live WebSocket upgrade.
 */
final class ApiVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);
  private final ApiConfig config;
  private final Db db;
  private final MqttConnection mqtt;
  private LeaderAckSession ackSession;
  private final TokenService tokens;
  private final UserStore users;
  private final PrometheusMeterRegistry registry;
  private final ApiDocument document = ApiDocument.bundled();
  private HttpServer server;
  private LiveHub hub;
  private ResponseDispatcher dispatcher;
  private CasePolling casePolling;
  private EscalationScan escalationScan;
  private AtLeastOnceRisk risk;
  private WebhookSender webhooks;
  private long revocationCheck = -1;
  private LeaderLease lease;
  private MaintenanceStore maintenance;
  private ActiveWindows windows;

  /** How often each process reads the maintenance windows other processes made. */
  private static final Duration WINDOWS_REFRESH = Duration.ofSeconds(3);

  /**
   * The leader steps down when its lease connection does not answer this long: past a 60 s database
   * pause, short of a leader that hangs forever.
   */
  private static final Duration LEASE_TIMEOUT = Duration.ofSeconds(120);

  ApiVerticle(
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
  }

  @Override
  public Future<?> start() {
    CitySeeds seeds = config.seeds();
    hub =
        new LiveHub(
            config.liveQueueLimit(),
            config.liveWriteQueueBytes(),
            Set.copyOf(seeds.districtCodes()));
    maintenance = new MaintenanceStore(db);
    windows = new ActiveWindows(vertx, maintenance, Clock.systemUTC());
    LiveFeed feed =
        new LiveFeed(
            context,
            hub,
            Set.copyOf(seeds.districtCodes()),
            config.liveClockSkew(),
            Clock.systemUTC(),
            new LiveDrops(registry),
            windows::mutes);
    dispatcher =
        new ResponseDispatcher(
            vertx,
            context,
            mqtt,
            db,
            hub,
            config.ackTimeout(),
            config.maxAttempts(),
            new Backoff(config.retryBackoff(), config.retryBackoffMax()),
            config.commandKeys(),
            config.leaderPoll());
    ackSession =
        new LeaderAckSession(config.ackSessionSettings(), context, dispatcher::ackFromSession);
    casePolling =
        new CasePolling(
            context,
            new CameraCasePoller(
                seeds,
                db,
                config.caseMergeWindow(),
                config.caseMergeDistanceM(),
                config.caseMinConfidence()),
            hub);
    escalationScan =
        new EscalationScan(
            context,
            new Escalator(db, seeds.escalation(), Clock.systemUTC()),
            hub,
            config.escalationScan());
    LiveHandshake handshake =
        new LiveHandshake(
            vertx,
            tokens.auth(),
            username ->
                db.lookup(
                    c -> users.liveTokenVersion(c, username),
                    config.dbConnectionTimeout().plusSeconds(2)),
            hub,
            config.liveConnectionsPerUser());
    // On this context, like the hub: the backstop for changes made through another instance.
    revocationCheck =
        vertx.setPeriodic(config.liveRevocationCheck().toMillis(), t -> handshake.recheck());
    new SampledGauges()
        .add("citybrain_api_live_clients", () -> hub.stats().clients())
        .add("citybrain_api_live_dropped_events", () -> hub.stats().dropped())
        .add("citybrain_api_live_conflated_snapshots", () -> hub.stats().conflated())
        .add("citybrain_api_active_runs", dispatcher::activeRuns)
        .add("citybrain_api_response_leader", () -> dispatcher.leading() ? 1 : 0)
        .add("citybrain_api_resumed_runs", dispatcher::resumedRuns)
        .add("citybrain_api_pending_state_writes", dispatcher::pendingWrites)
        .start(vertx, registry);
    risk =
        new AtLeastOnceRisk(
            vertx, config.risk(), config.health().flinkRestUrl(), config.health().jobName());
    risk.start(vertx, registry);
    // The MQTT subscriptions hand messages to this context; they go in before the server takes
    // requests, so the retained live snapshots are there for the first client.
    return vertx
        .executeBlocking(
            () -> {
              feed.subscribe(mqtt);
              dispatcher.subscribe();
              risk.subscribe(mqtt);
              return null;
            })
        .compose(v -> windows.refresh())
        .compose(v -> document.contract(vertx))
        .compose(
            contract -> {
              server =
                  vertx
                      .createHttpServer(
                          new HttpServerOptions()
                              .setHost(config.host())
                              .setPort(config.port())
                              .setCompressionSupported(false))
                      .requestHandler(router(contract, seeds, handshake))
                      .webSocketHandshakeHandler(handshake)
                      .webSocketHandler(ws -> {});
              return server.listen();
            })
        .onSuccess(
            s -> {
              casePolling.start(config.casePollInterval());
              windows.start(WINDOWS_REFRESH);
              // On every process: the database claim keeps two from sending one delivery.
              webhooks = new WebhookSender(vertx, db, config.webhooks(), Clock.systemUTC());
              webhooks.start();
              // Serving first, then tracking: the lease decides which process sends and times out.
              lease =
                  new LeaderLease(
                      config.jdbcUrl(),
                      config.leaderPoll(),
                      LEASE_TIMEOUT,
                      leads ->
                          context.runOnContext(
                              v -> {
                                if (leads) {
                                  dispatcher.lead();
                                  escalationScan.lead();
                                  openAckSession();
                                } else {
                                  dispatcher.standBy();
                                  escalationScan.standBy();
                                  closeAckSession();
                                }
                              }));
              lease.start();
              LOG.info("Command API listening on port {}", s.actualPort());
            });
  }

  /** The route table: every operation of the document by its feature, then the wall page. */
  private Router router(OpenAPIContract contract, CitySeeds seeds, LiveHandshake handshake) {
    Operations ops = new Operations(vertx, contract, tokens.auth());
    AuditLog audit = new AuditLog(db);
    ReadStore reads = new ReadStore(db, config.summaryCache());
    new OpsRoutes(
            vertx,
            mqtt,
            db,
            hub::latest,
            Set.copyOf(seeds.districtCodes()),
            config.health(),
            risk,
            registry,
            document)
        .mount(ops);
    new AuthRoutes(
            vertx,
            db,
            users,
            tokens,
            audit,
            seeds,
            new LoginThrottle(),
            user -> context.runOnContext(v -> handshake.revoke(user)))
        .mount(ops);
    new ReadRoutes(seeds, reads, hub::latest).mount(ops);
    new ReferenceRoutes(seeds).mount(ops);
    new PipelineRoutes(reads).mount(ops);
    new ResponseRoutes(
            seeds,
            new PlanRuns(
                db,
                seeds.escalation(),
                new PlanRuns.Limits(config.triggersPerCaller(), config.triggersPerDistrict())),
            audit,
            dispatcher)
        .mount(ops);
    new CaseRoutes(seeds, new CaseStore(db), hub).mount(ops);
    new WorkRoutes(seeds, new WorkStore(db), new TaskList(db), hub).mount(ops);
    new WebhookRoutes(vertx, seeds, new WebhookStore(db), new UrlPolicy(config.webhooks()))
        .mount(ops);
    new HandoverRoutes(seeds, new HandoverStore(db, seeds.escalation(), Clock.systemUTC()))
        .mount(ops);
    new MaintenanceRoutes(seeds, maintenance, windows, Clock.systemUTC()).mount(ops);
    new DeviceCommandRoutes(seeds, new DeviceCommands(db), dispatcher).mount(ops);
    handshake.mount(ops);
    // Last, so every mutating route's refusals are audited here, once.
    new AuditTrail(audit).mount(ops);
    Router router = ops.router();
    new WallRoutes().mount(router);
    Failures.mount(router, tokens.auth());
    return router;
  }

  /**
   * Opens the leader's ack session off the loop; retried every 5 s while this process leads and the
   * broker refuses (until then acks come through the shared connection, as before).
   */
  private void openAckSession() {
    vertx
        .executeBlocking(
            () -> {
              ackSession.open();
              return null;
            })
        .onComplete(
            done -> {
              if (!dispatcher.leading()) {
                closeAckSession();
              } else if (done.succeeded()) {
                dispatcher.ackSessionOpen(true);
              } else {
                LOG.warn(
                    "response leader: cannot open the ack session, retrying in 5 s: {}",
                    done.cause().getMessage());
                vertx.setTimer(
                    5_000,
                    t -> {
                      if (dispatcher.leading() && !ackSession.isOpen()) {
                        openAckSession();
                      }
                    });
              }
            });
  }

  private void closeAckSession() {
    dispatcher.ackSessionOpen(false);
    vertx.executeBlocking(
        () -> {
          ackSession.close();
          return null;
        });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(revocationCheck);
    if (lease != null) {
      lease.close();
    }
    if (ackSession != null) {
      dispatcher.ackSessionOpen(false);
      ackSession.close();
    }
    casePolling.stop();
    windows.stop();
    escalationScan.standBy();
    if (webhooks != null) {
      webhooks.stop();
    }
    dispatcher.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  int actualPort() {
    return server.actualPort();
  }

  /** The hub's counters, read on its event loop. */
  Future<LiveHub.LiveStats> liveStats() {
    Promise<LiveHub.LiveStats> promise = Promise.promise();
    context.runOnContext(v -> promise.complete(hub.stats()));
    return promise.future();
  }

  /** Runs one camera-case poll now (tests; the timer does it otherwise). */
  Future<Integer> pollCasesNow() {
    return casePolling.pollNow();
  }
}
