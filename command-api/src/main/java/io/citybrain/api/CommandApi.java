package io.citybrain.api;

import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.api.auth.PasswordHasher;
import io.citybrain.api.auth.TokenService;
import io.citybrain.api.auth.UserStore;
import io.citybrain.api.db.ApiPool;
import io.citybrain.api.db.Db;
import io.citybrain.api.http.Role;
import io.citybrain.api.live.LiveHub;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.settings.Redact;
import io.citybrain.storage.Schema;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Command API as one object: {@link #start} migrates the schema (unless told not to), connects
 * to PostgreSQL and the broker, deploys the HTTP/WebSocket verticle and returns once it listens;
 * {@link #close} stops everything.
 */
public final class CommandApi implements AutoCloseable {
  private final ApiConfig config;
  private final Vertx vertx;
  private final HikariDataSource dataSource;
  private final MqttConnection mqtt;
  private final Db db;
  private final UserStore users;
  private final PasswordHasher hasher;
  private final ApiVerticle verticle;
  private final PrometheusMeterRegistry registry;

  private CommandApi(
      ApiConfig config,
      Vertx vertx,
      HikariDataSource dataSource,
      MqttConnection mqtt,
      Db db,
      UserStore users,
      PasswordHasher hasher,
      ApiVerticle verticle,
      PrometheusMeterRegistry registry) {
    this.config = config;
    this.vertx = vertx;
    this.dataSource = dataSource;
    this.mqtt = mqtt;
    this.db = db;
    this.users = users;
    this.hasher = hasher;
    this.verticle = verticle;
    this.registry = registry;
  }

  /**
   * Starts the API and blocks until it listens. Fails with {@link IllegalStateException} naming
   * what could not be reached or started (the configuration is valid by construction).
   */
  public static CommandApi start(ApiConfig config) {
    // Reading the bundled seeds is file work: here, not on the event loop.
    config.seeds();
    // The signing key first: a key file others can read stops startup before anything connects.
    String jwtSecret = TokenService.resolveSecret(config.jwtSecret(), config.jwtKeyFile());
    HikariDataSource dataSource = null;
    MqttConnection mqtt = null;
    Vertx vertx = null;
    try {
      try {
        dataSource =
            ApiPool.create(
                config.jdbcUrl(),
                "citybrain-api",
                config.dbPoolSize(),
                config.dbConnectionTimeout());
        if (config.migrate()) {
          Schema.migrate(dataSource);
        }
        // Runs left running by an earlier process are resumed by the leader (ResponseDispatcher).
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "Command API cannot use the database at "
                + Redact.url(config.jdbcUrl())
                + ": "
                + e.getMessage(),
            e);
      }
      mqtt = PahoConnection.connect(config.mqttSettings());
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      vertx =
          Vertx.builder()
              .with(
                  new VertxOptions()
                      .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
              .withMetrics(new MicrometerMetricsFactory(registry))
              .build();
      Db db = new Db(vertx, dataSource, config.dbPoolSize());
      PasswordHasher hasher = new PasswordHasher(config.passwordCost());
      UserStore users = new UserStore(hasher);
      TokenService tokens =
          new TokenService(
              vertx,
              jwtSecret,
              config.tokenTtl(),
              // Every request waits on this lookup: a database that does not answer is a 503 within
              // the pool's timeout (and a little), not a request held until it answers.
              username ->
                  db.lookup(
                      c -> users.liveTokenVersion(c, username),
                      config.dbConnectionTimeout().plusSeconds(2)));
      ApiVerticle verticle = new ApiVerticle(config, db, mqtt, tokens, users, registry);
      vertx
          .deployVerticle(verticle)
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      return new CommandApi(config, vertx, dataSource, mqtt, db, users, hasher, verticle, registry);
    } catch (ExecutionException e) {
      closeQuietly(vertx, mqtt, dataSource);
      throw new IllegalStateException(
          "Command API could not listen on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      closeQuietly(vertx, mqtt, dataSource);
      throw new IllegalStateException("Command API did not start within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(vertx, mqtt, dataSource);
      throw new IllegalStateException("interrupted while starting the Command API", e);
    } catch (RuntimeException e) {
      closeQuietly(vertx, mqtt, dataSource);
      throw e;
    }
  }

  /** Base URL, e.g. {@code http://127.0.0.1:8080} (a wildcard host is shown as 127.0.0.1). */
  public String url() {
    String host =
        config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
    return "http://" + host + ":" + verticle.actualPort();
  }

  public int port() {
    return verticle.actualPort();
  }

  /** A user with a generated password, as created for the demo. */
  public record DemoUser(String username, Role role, String password) {}

  /**
   * Creates (or resets) one user per role, named {@code demo-<role>}, with generated passwords, and
   * returns them so the launcher can print them once; only their bcrypt hashes are stored.
   */
  public List<DemoUser> createDemoUsers() {
    List<DemoUser> created = new ArrayList<>();
    for (Role role : Role.values()) {
      created.add(createGeneratedUser("demo-" + role.id(), role));
    }
    return created;
  }

  /** Creates (or resets) one city-wide user with a generated password, returned once. */
  public DemoUser createGeneratedUser(String username, Role role) {
    String password = hasher.generate();
    createUser(username, password, role, Set.of());
    return new DemoUser(username, role, password);
  }

  /** Creates or replaces a user; {@code districts} empty means every district. Blocking. */
  public void createUser(String username, String password, Role role, Set<String> districts) {
    try (Connection connection = dataSource.getConnection()) {
      users.put(connection, username, password, role, districts);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store user " + username + ": " + e.getMessage(), e);
    }
  }

  /** The live hub's counters (clients, frames, drops, conflation, the largest queue seen). */
  public LiveHub.LiveStats liveStats() {
    return await(verticle.liveStats());
  }

  /** Runs one camera-case poll now and returns how many cases it created or merged into. */
  public int pollCameraCases() {
    return await(verticle.pollCasesNow());
  }

  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  public ApiConfig config() {
    return config;
  }

  @Override
  public void close() {
    // The verticle (and its queued state writes) first, the database workers after: nothing queued
    // is lost.
    try {
      vertx
          .undeploy(verticle.deploymentID())
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Best effort: closing Vert.x below stops it anyway.
    }
    db.close();
    closeQuietly(vertx, mqtt, dataSource);
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static void closeQuietly(Vertx vertx, MqttConnection mqtt, HikariDataSource dataSource) {
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // Closing is best effort; the process is going away or the test is over.
      }
    }
    if (mqtt != null) {
      mqtt.close();
    }
    if (dataSource != null) {
      dataSource.close();
    }
  }
}
