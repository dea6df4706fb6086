package io.citybrain.app;

import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.access.BrokerLogin;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.access.PrincipalDirectory;
import io.citybrain.access.Principals;
import io.citybrain.api.ApiConfig;
import io.citybrain.api.CommandApi;
import io.citybrain.api.http.Role;
import io.citybrain.api.ops.HealthSettings;
import io.citybrain.api.response.CommandKeys;
import io.citybrain.embedded.EmbeddedBroker;
import io.citybrain.embedded.EmbeddedDatabase;
import io.citybrain.embedded.FreePort;
import io.citybrain.embedded.TempFolders;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.proto.Topics;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Fleet;
import io.citybrain.settings.InvalidSettingException;
import io.citybrain.settings.Redact;
import io.citybrain.simulators.ActuatorSettings;
import io.citybrain.simulators.Flags;
import io.citybrain.simulators.FleetOptions;
import io.citybrain.simulators.Rate;
import io.citybrain.simulators.SimConfig;
import io.citybrain.simulators.SimReport;
import io.citybrain.simulators.SimRun;
import io.citybrain.simulators.work.GridWorkers;
import io.citybrain.simulators.work.HandlingModel;
import io.citybrain.storage.DataSources;
import io.citybrain.storage.RuntimeRole;
import io.citybrain.stream.CityJobConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs CityBrain in one JVM on embedded defaults: an MQTT broker, PostgreSQL with the schema and
 * the city's registry. The stream job runs on an in-process Flink MiniCluster and the device
 * simulator against the broker; the API joins here as it lands. Either service can be a real one
 * instead.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run CityBrain in one JVM: embedded MQTT broker and PostgreSQL, schema, seeds.")
final class DemoCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

  /** The flag of every demo setting, for restating a setting's problem as its flag's. */
  static final Flags FLAGS =
      FleetOptions.FLAGS.and(
          Flags.of(
              "MQTT URL", "--mqtt-url",
              "MQTT port", "--mqtt-port",
              "database URL", "--db-url",
              "stream job", "--stream-job",
              "API", "--api",
              "API port", "--api-port",
              "simulator", "--sim",
              "simulator rate", "--sim-rate",
              "exit after start", "--exit-after-start",
              "bind address", "--bind",
              "workers", "--workers",
              "work speed", "--work-speed",
              "work success rate", "--work-success-rate",
              "duty coordinator", "--duty-coordinator"));

  @Spec CommandSpec spec;

  @Mixin FleetOptions fleet;

  @Option(
      names = "--mqtt-url",
      paramLabel = "URL",
      defaultValue = "${env:CITYBRAIN_MQTT_URL}",
      description =
          "Use this MQTT broker instead of the embedded one, e.g. tcp://127.0.0.1:1883 (env CITYBRAIN_MQTT_URL).")
  String mqttUrl;

  @Option(
      names = "--credentials",
      paramLabel = "DIR",
      defaultValue = "${env:CITYBRAIN_CREDENTIALS}",
      description =
          "With --mqtt-url: the installation whose principals that broker knows (citybrain provision"
              + " --out DIR makes one; env CITYBRAIN_CREDENTIALS). Without, every run generates its"
              + " own in a temporary folder, deleted at exit.")
  Path credentials;

  @Option(
      names = "--mqtt-port",
      paramLabel = "PORT",
      defaultValue = "" + DemoSettings.DEFAULT_MQTT_PORT,
      description =
          "Port of the embedded broker; a free port is used when it is taken (default: ${DEFAULT-VALUE}).")
  int mqttPort;

  @Option(
      names = "--db-url",
      paramLabel = "JDBC",
      defaultValue = "${env:CITYBRAIN_DB_URL}",
      description =
          "Use this PostgreSQL instead of the embedded one, e.g. "
              + "jdbc:postgresql://127.0.0.1:5432/citybrain?user=postgres (env CITYBRAIN_DB_URL).")
  String dbUrl;

  @Option(
      names = "--sim",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run the device simulator against the broker: every device at its own interval, and actuators "
              + "that answer commands (default: on).")
  boolean sim;

  @Option(
      names = "--sim-rate",
      paramLabel = "N",
      description = "Simulator messages per second instead of each device's own interval.")
  Double simRate;

  @Option(
      names = "--stream-job",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run the stream job (metrics, liveness, alerts, incidents, live topics) on an in-process Flink "
              + "MiniCluster (default: on).")
  boolean streamJob;

  @Option(
      names = "--api",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Serve the command API and the wall (default: on).")
  boolean api;

  @Option(
      names = "--api-port",
      paramLabel = "PORT",
      defaultValue = "${env:CITYBRAIN_API_PORT:-" + DemoSettings.DEFAULT_API_PORT + "}",
      description =
          "Port of the command API; 0 picks a free one (default: ${DEFAULT-VALUE}, env CITYBRAIN_API_PORT).")
  int apiPort;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      defaultValue = "${env:CITYBRAIN_BIND:-" + DemoSettings.DEFAULT_BIND + "}",
      description =
          "The address every embedded service listens on: the API, the broker, PostgreSQL and"
              + " Flink's REST endpoint and blob server (default: ${DEFAULT-VALUE}, this machine"
              + " only; 0.0.0.0 opens them to the network; env CITYBRAIN_BIND).")
  String bind;

  @Option(
      names = "--workers",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Simulated grid workers, departments and operators work the city's cases, tasks and alerts"
              + " through the API (default: on).")
  boolean workers;

  @Option(
      names = "--work-speed",
      paramLabel = "X",
      defaultValue = "60",
      description =
          "How much faster than real time the simulated people work: 60 does an hour's work in a"
              + " minute (default: ${DEFAULT-VALUE}).")
  double workSpeed;

  @Option(
      names = "--work-success-rate",
      paramLabel = "RATE",
      defaultValue = "0.9729",
      description =
          "The share of cases the departments rectify; the rest wait in handling for escalation"
              + " (default: ${DEFAULT-VALUE}, the district hub's 50,879 of 52,297).")
  double workSuccessRate;

  @Option(
      names = "--duty-coordinator",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "A simulated coordinator acknowledges incidents, triggers their plans, resolves and closes"
              + " them; --no-duty-coordinator leaves incidents to the people at the wall (default:"
              + " on).")
  boolean dutyCoordinator;

  @Option(
      names = "--exit-after-start",
      description = "Start everything, print the report, then stop (a smoke check).")
  boolean exitAfterStart;

  /** How long the smoke check (--exit-after-start) lets the simulator publish. */
  static final long SMOKE_SIMULATION_MS = 3_000;

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private CompletableFuture<SimReport> simulatorDone;

  /** The parsed flags as a validated value; a bad one names its flag (exit 2). */
  DemoSettings settings() {
    try {
      return new DemoSettings(
          fleet.settings(),
          mqttUrl,
          mqttPort,
          dbUrl,
          streamJob,
          api,
          apiPort,
          sim,
          simRate,
          exitAfterStart,
          bind,
          workers,
          workSpeed,
          workSuccessRate,
          dutyCoordinator);
    } catch (InvalidSettingException e) {
      throw FLAGS.restate(spec.commandLine(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    DemoSettings settings = settings();
    // Every setting once, masked, beside the logs: the summary below is the demo's report.
    LOG.info("{}", settings.describe());
    CitySeeds seeds = settings.fleet().load();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "citybrain-shutdown"));
    try {
      out.println("CityBrain demo");
      out.printf("  seeds       %s%n", settings.fleet().source().describe());
      Installation installation = installation(out, settings);
      Fleet expanded = settings.fleet().expand(seeds);
      String brokerUrl = startBroker(out, settings, installation, seeds, expanded);
      HikariDataSource dataSource = startDatabase(out, settings);
      // The schema's owner migrates; the API and the job connect as the runtime role, whose
      // password is new on every run (the demo is the only one that needs it).
      RegistryLoad load =
          RegistryLoad.apply(
              dataSource, seeds, expanded, RuntimeRole.DEFAULT_NAME, RuntimeRole.generate());
      out.print(load.describe());
      out.printf(
          "  db role     %s for the API and the stream job (no superuser, owns nothing, audit log"
              + " insert-only; password generated for this run)%n",
          load.runtime().role());
      String runtimeUrl =
          DataSources.withLogin(
              dataSource.getJdbcUrl(), load.runtime().role(), load.runtime().password());
      MiniClusterNetwork flink =
          new MiniClusterNetwork(settings.bind(), FreePort.find(), FreePort.find());
      if (settings.streamJob()) {
        startStreamJob(out, seeds, brokerUrl, installation, runtimeUrl, flink);
      }
      if (settings.api()) {
        startApi(
            out,
            settings,
            brokerUrl,
            installation,
            runtimeUrl,
            settings.streamJob() ? flink : null);
      }
      SimRun simulator =
          settings.sim()
              ? startSimulator(out, settings, seeds, expanded, brokerUrl, installation)
              : null;
      out.flush();
      if (settings.exitAfterStart()) {
        if (simulator != null) {
          // Let the fleet talk for a moment: the smoke check proves messages flow through the
          // broker.
          Thread.sleep(SMOKE_SIMULATION_MS);
          simulator.stop();
          SimReport report = simulatorDone.join();
          out.printf(
              Locale.ROOT,
              "  simulated   %,d messages in %.1f s, %d errors%n",
              report.published(),
              report.durationS(),
              report.errors());
          if (settings.streamJob()) {
            out.printf(
                Locale.ROOT,
                "  processed   %,d readings, camera events and heartbeats stored by the stream job%n",
                awaitStored(dataSource, SMOKE_SIMULATION_MS * 3));
          }
        }
        out.println("started; stopping (--exit-after-start)");
        return 0;
      }
      out.println("running; press Ctrl+C to stop");
      out.flush();
      new CountDownLatch(1).await();
      return 0;
    } finally {
      stopAll();
    }
  }

  /**
   * Whose secrets the run's parts log in with: the configured broker's installation, or one of this
   * run's own in a temporary folder (deleted at exit, after everything that uses it has stopped).
   */
  private Installation installation(PrintWriter out, DemoSettings settings) throws Exception {
    if (settings.mqttUrl() != null) {
      if (credentials == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--mqtt-url needs --credentials DIR, the installation whose principals that broker"
                + " knows (citybrain provision --out DIR makes one)");
      }
      Installation configured;
      try {
        configured = Installation.load(credentials);
      } catch (InvalidSettingException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--credentials " + e.problem(), e);
      }
      out.printf("  credentials %s (configured)%n", configured.folder());
      return configured;
    }
    Path folder = Files.createTempDirectory("citybrain-demo-credentials");
    started.push(() -> TempFolders.deleteQuietly(folder));
    Installation generated = Installation.generate(folder.resolve("installation"));
    out.printf("  credentials %s (generated for this run, deleted at exit)%n", generated.folder());
    return generated;
  }

  private void startStreamJob(
      PrintWriter out,
      CitySeeds seeds,
      String brokerUrl,
      Installation installation,
      String jdbcUrl,
      MiniClusterNetwork network)
      throws Exception {
    // Checkpoints on disk: the JobManager's memory holds at most 5 MB per state, which a long demo
    // outgrows.
    Path checkpoints = Files.createTempDirectory("citybrain-checkpoints");
    started.push(() -> TempFolders.deleteQuietly(checkpoints));
    CityJobConfig config =
        CityJobConfig.builder()
            .mqttUrl(brokerUrl)
            .mqttLogin(BrokerLogin.of(installation, Principal.job()))
            .jdbcUrl(jdbcUrl)
            .districts(seeds.districtCodes())
            .clientIdPrefix("citybrain-demo-stream")
            // Embedded HiveMQ CE sends one unacknowledged QoS 1 message per queue at a time, which
            // acknowledge-on-checkpoint turns into a crawl (ingest/README.md): the demo reads it at
            // QoS 0. A configured broker (Mosquitto) gets QoS 1.
            .qos(mqttUrl == null ? 0 : 1)
            .sessionExpiry(Duration.ofMinutes(10))
            .checkpointInterval(Duration.ofSeconds(5))
            .checkpointDir(checkpoints.toUri().toString())
            .build();
    StreamJobRunner runner = StreamJobRunner.start(config, seeds, network);
    started.push(runner);
    out.printf(
        "  stream job  running on an in-process Flink MiniCluster (parallelism %d, QoS %d, checkpoints %s)%n",
        config.parallelism(), config.qos(), config.checkpointInterval().toSeconds() + " s");
    out.println(
        "              live topics: "
            + Topics.live("{district}")
            + ", "
            + Topics.cityLive()
            + ", .../alert, .../incident");
    out.printf(
        "              Flink REST %s, blob server port %d, both on %s%n",
        network.restUrl(), network.blobPort(), network.host());
    // The lanes subscribe just after the job reports running; telemetry sent before that is not
    // queued for them.
    Thread.sleep(3_000);
  }

  /** With {@code flink} null (no stream job), {@code /health} does not watch a job. */
  private void startApi(
      PrintWriter out,
      DemoSettings settings,
      String brokerUrl,
      Installation installation,
      String jdbcUrl,
      MiniClusterNetwork flink) {
    // A taken port is replaced by a free one, as for the broker: the demo should start, and it says
    // where.
    int port = apiPort != 0 && FreePort.isFree(apiPort) ? apiPort : 0;
    CommandApi commandApi =
        CommandApi.start(
            ApiConfig.builder()
                .jdbcUrl(jdbcUrl)
                .mqttUrl(brokerUrl)
                .mqttLogin(BrokerLogin.of(installation, Principal.api()))
                .commandKeys(CommandKeys.of(installation))
                .host(settings.bind())
                .port(port)
                // Migrated above, as the owner: the runtime role could not.
                .migrate(false)
                .health(
                    HealthSettings.DEFAULT.withFlinkRestUrl(flink == null ? null : flink.restUrl()))
                .build());
    started.push(commandApi);
    out.printf(
        "  api         %s/api/v1 (OpenAPI: %s/api/v1/openapi.json, metrics: %s/metrics), listening"
            + " on %s%s%n",
        commandApi.url(),
        commandApi.url(),
        commandApi.url(),
        settings.bind(),
        port == apiPort ? "" : "; port " + apiPort + " was taken");
    out.printf(
        "  wall        %s/  (the command-center wall: sign in with a user below)%n",
        commandApi.url());
    out.println("  users       generated for this run, shown once (POST /api/v1/auth/login):");
    for (CommandApi.DemoUser user : commandApi.createDemoUsers()) {
      out.printf(
          "              %-12s %-18s password %s%n",
          user.role().id(), user.username(), user.password());
    }
    if (settings.workers()) {
      startWorkers(out, settings, commandApi);
    }
  }

  /**
   * The city's simulated people, signed in as users of their own (generated passwords, not shown:
   * nobody else signs in as them).
   */
  private void startWorkers(PrintWriter out, DemoSettings settings, CommandApi commandApi) {
    CommandApi.DemoUser worker = commandApi.createGeneratedUser("sim-grid-worker", Role.OPERATOR);
    CommandApi.DemoUser coordinator =
        settings.dutyCoordinator()
            ? commandApi.createGeneratedUser("sim-duty-coordinator", Role.COORDINATOR)
            : null;
    GridWorkers workers =
        GridWorkers.start(
            commandApi.url(),
            new GridWorkers.Credentials(worker.username(), worker.password()),
            coordinator == null
                ? null
                : new GridWorkers.Credentials(coordinator.username(), coordinator.password()),
            HandlingModel.defaults(settings.workSpeed())
                .withCaseSuccessRate(settings.workSuccessRate()),
            settings.fleet().fleetSeed(),
            4);
    started.push(workers);
    out.printf(
        Locale.ROOT,
        "  workers     grid workers and departments (%s) at %sx real time, %.2f%% of cases"
            + " rectified; %s%n",
        worker.username(),
        trim(settings.workSpeed()),
        settings.workSuccessRate() * 100,
        coordinator == null
            ? "incidents left to the wall"
            : "incidents run by " + coordinator.username());
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }

  /** Raw rows stored so far, waiting up to {@code timeoutMs} for the first ones. */
  private static long awaitStored(DataSource db, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    long stored = 0;
    while (System.currentTimeMillis() < deadline) {
      try (var c = db.getConnection();
          var st = c.createStatement();
          var rs =
              st.executeQuery(
                  "SELECT (SELECT count(*) FROM reading) + (SELECT count(*) FROM camera_event) "
                      + "+ (SELECT count(*) FROM heartbeat)")) {
        rs.next();
        stored = rs.getLong(1);
      }
      if (stored > 0) {
        Thread.sleep(1_000);
        return stored;
      }
      Thread.sleep(250);
    }
    return stored;
  }

  private String startBroker(
      PrintWriter out,
      DemoSettings settings,
      Installation installation,
      CitySeeds seeds,
      Fleet expanded) {
    if (settings.mqttUrl() != null) {
      out.printf("  mqtt        %s (configured)%n", Redact.url(settings.mqttUrl()));
      return settings.mqttUrl();
    }
    // Port 0 asks for any free port; a taken port is replaced by a free one rather than failing the
    // demo.
    int wanted = settings.mqttPort();
    int port = wanted != 0 && FreePort.isFree(wanted) ? wanted : FreePort.find();
    // The embedded broker lets in only this installation's principals, with their rights: the
    // services, the districts' gateways and every device of the fleet.
    PrincipalDirectory directory = new PrincipalDirectory(installation);
    directory.addAll(Principals.of(seeds.districtCodes(), expanded));
    EmbeddedBroker broker = EmbeddedBroker.start(directory, port, settings.bind());
    started.push(broker);
    out.printf(
        "  mqtt        %s (embedded HiveMQ CE, no anonymous access, listening on %s%s)%n",
        broker.url(),
        settings.bind(),
        port == wanted || wanted == 0 ? "" : "; port " + wanted + " was taken");
    return broker.url();
  }

  private SimRun startSimulator(
      PrintWriter out,
      DemoSettings settings,
      CitySeeds seeds,
      Fleet expanded,
      String brokerUrl,
      Installation installation) {
    Double simRate = settings.simRate();
    // This run's commands are this run's: the actuators' journal lives and dies with it.
    Path actuatorState;
    try {
      actuatorState = Files.createTempDirectory("citybrain-demo-actuators");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the actuators' state folder", e);
    }
    started.push(() -> TempFolders.deleteQuietly(actuatorState));
    // The simulated day follows Shenzhen's clock, so the wall shows rush hours when they happen.
    double hour = ZonedDateTime.now(ZoneId.of("Asia/Shanghai")).getHour();
    SimConfig config =
        SimConfig.builder(seeds, expanded, MqttSettings.of(brokerUrl, "citybrain-demo-sim"))
            .seedSource(settings.fleet().source())
            // The devices' side holds the fleet's secrets only, as a real simulator does.
            .credentials(installation.fleet())
            .actuators(
                ActuatorSettings.DEFAULT.withState(
                    actuatorState, ActuatorSettings.DEFAULT_MAX_LIFETIME))
            .connections(2)
            .rate(simRate == null ? Rate.REALTIME : new Rate(Rate.Mode.FIXED, simRate))
            .startHour(hour)
            .build();
    SimRun run = new SimRun(config, null);
    started.push(run);
    started.push(run::stop);
    simulatorDone =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return run.run();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("simulator interrupted", e);
              }
            },
            runnable -> {
              Thread thread = new Thread(runnable, "citybrain-demo-sim");
              thread.setDaemon(true);
              thread.start();
            });
    out.printf(
        Locale.ROOT,
        "  simulator   %,d devices at %s (~%,.0f msg/s), actuators answer commands%n",
        run.deviceCount(),
        config.rate(),
        simRate == null ? run.realtimeRate() : simRate);
    return run;
  }

  private HikariDataSource startDatabase(PrintWriter out, DemoSettings settings) {
    String url = settings.dbUrl();
    String origin = "configured";
    if (url == null) {
      EmbeddedDatabase database = EmbeddedDatabase.start(settings.bind());
      started.push(database);
      url = database.jdbcUrl("postgres");
      origin =
          "embedded PostgreSQL on "
              + settings.bind()
              + ", superuser postgres, password generated for this run: "
              + database.password();
    }
    // Print where, never the credentials a configured URL may carry.
    out.printf("  database    %s (%s)%n", Redact.url(url), origin);
    HikariDataSource dataSource =
        DataSources.pooled(url, "citybrain-demo", DataSources.DEFAULT_POOL_SIZE);
    started.push(dataSource);
    return dataSource;
  }

  private synchronized void stopAll() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        System.err.println("citybrain: while stopping: " + e.getMessage());
      }
    }
  }
}
