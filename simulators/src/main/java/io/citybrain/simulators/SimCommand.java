package io.citybrain.simulators;

import io.citybrain.access.BrokerLoginOptions;
import io.citybrain.access.FleetCredentials;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Scenario;
import io.citybrain.seeds.ScenarioLoader;
import io.citybrain.settings.InvalidSettingException;
import io.citybrain.settings.Redact;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code citybrain sim}: a city-scale device fleet, scenarios, fault injection and actuators,
 * reported like a benchmark.
 */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Simulate the city's devices over MQTT: telemetry, scenarios, faults and actuators that answer "
            + "commands. Prints a live progress line and a final report.")
public final class SimCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin FleetOptions fleet;

  /** The fleet's credentials (--credentials DIR) and the broker's CA (--mqtt-ca). */
  @Mixin BrokerLoginOptions login;

  @Option(
      names = "--connect-as",
      paramLabel = "gateways|devices",
      defaultValue = "gateways",
      converter = ConnectAsConverter.class,
      description =
          "Log in as each district's IoT gateway (<D>-GW-IOT, --connections connections each, each"
              + " carrying only its district's devices), or as every device with its own login"
              + " (one connection per device, 32 connecting at a time). Default: ${DEFAULT-VALUE}.")
  SimConfig.ConnectAs connectAs;

  @Option(
      names = "--mqtt-url",
      paramLabel = "URL",
      defaultValue = "${env:CITYBRAIN_MQTT_URL:-tcp://127.0.0.1:1883}",
      description = "MQTT broker (env CITYBRAIN_MQTT_URL; default: ${DEFAULT-VALUE}).")
  String mqttUrl;

  // Its own option, not a second name of --mqtt-url: picocli would list the old name first, and
  // would apply --mqtt-url's default over a value given here.
  @Option(
      names = "--broker",
      paramLabel = "URL",
      description = "Deprecated: the old name of --mqtt-url, still accepted.")
  String broker;

  @Option(
      names = "--qos",
      defaultValue = "" + SimConfig.DEFAULT_QOS,
      description = "QoS of telemetry: 0 or 1 (default: ${DEFAULT-VALUE}).")
  int qos;

  @Option(
      names = "--replay-window",
      paramLabel = "D",
      converter = DurationConverter.class,
      defaultValue = "15s",
      description =
          "With --qos 1, each connection keeps the telemetry of the last D and sends it again after"
              + " every reconnect: Mosquitto 2.0 acknowledges before it saves, so a crashed broker"
              + " loses readings it acknowledged; the job drops the copies as duplicates. 0s: off"
              + " (default: ${DEFAULT-VALUE}).")
  Duration replayWindow;

  @Option(
      names = "--connections",
      defaultValue = "" + SimConfig.DEFAULT_CONNECTIONS,
      description =
          "MQTT connections per district gateway (--connect-as gateways; default:"
              + " ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--rate",
      paramLabel = "N|max",
      description =
          "Total messages per second of all shards together, or 'max' for as fast as the broker takes "
              + "them. Default: --realtime.")
  String rate;

  @Option(
      names = "--realtime",
      description = "Every device reports at its own interval from the fleet template.")
  boolean realtime;

  @Option(
      names = "--speed",
      paramLabel = "K",
      defaultValue = "" + SimConfig.DEFAULT_SPEED,
      description =
          "Time-lapse: simulated time runs K times faster than the wall clock, every device at its own "
              + "interval in simulated time (a 15 min scenario takes 30 s at 30). Default: 1.")
  double speed;

  @Option(
      names = "--start-time",
      paramLabel = "INSTANT",
      description =
          "The event time of the run's start (ISO-8601, e.g. 2026-11-23T08:00:00Z): the same flags and "
              + "start time give the same messages. Default: now.")
  String startTime;

  @Option(
      names = "--duration",
      paramLabel = "D",
      converter = DurationConverter.class,
      description =
          "Stop after D (500ms, 10s, 5m, 2h). Default: the scenario's length, else until Ctrl+C.")
  Duration duration;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop after N messages (0: no limit).")
  long count;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "" + SimConfig.DEFAULT_SEED,
      description =
          "Message seed: the same seed and flags give the same messages (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--districts",
      paramLabel = "CODE",
      split = ",",
      description = "Only these districts, e.g. DP,FT (default: all).")
  List<String> districts = List.of();

  @Option(
      names = "--shard",
      paramLabel = "i/n",
      defaultValue = "1/1",
      description = "Play shard i of n of the fleet, so that n processes share it without overlap.")
  String shard;

  @Option(
      names = "--scenario",
      paramLabel = "ID|FILE",
      description =
          "A scenario: normal_day, flood, fire, crowd_surge, device_outage, or a .yaml file.")
  String scenario;

  @Option(
      names = "--gateway-batch",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Cameras report through their video-analytics gateway in batches of N (0: off).")
  int gatewayBatch;

  @Option(
      names = "--day-hour",
      paramLabel = "H",
      defaultValue = "" + SimConfig.DEFAULT_DAY_HOUR,
      description = "Simulated hour of day at the start, 0-24 (default: ${DEFAULT-VALUE}).")
  double dayHour;

  @Option(
      names = "--fault-skew",
      paramLabel = "RATE",
      defaultValue = "0",
      description = "Share of devices whose clock is off by up to 5 min.")
  double faultSkew;

  @Option(
      names = "--fault-future",
      paramLabel = "RATE",
      defaultValue = "0",
      description = "Share of messages stamped in the future (by --fault-future-by).")
  double faultFuture;

  @Option(
      names = "--fault-late",
      paramLabel = "RATE",
      defaultValue = "0",
      description =
          "Share of messages published late (by --fault-late-by), seq and event time unchanged.")
  double faultLate;

  @Option(
      names = "--fault-future-by",
      paramLabel = "D",
      defaultValue = "2h",
      converter = DurationConverter.class,
      description = "How far ahead --fault-future stamps (default: ${DEFAULT-VALUE}).")
  Duration faultFutureBy;

  @Option(
      names = "--fault-late-by",
      paramLabel = "D",
      defaultValue = "2m",
      converter = DurationConverter.class,
      description = "How long --fault-late holds a message back (default: ${DEFAULT-VALUE}).")
  Duration faultLateBy;

  @Option(
      names = "--fault-duplicate",
      paramLabel = "RATE",
      defaultValue = "0",
      description = "Share of messages published twice (same device and seq).")
  double faultDuplicate;

  @Option(
      names = "--fault-out-of-range",
      paramLabel = "RATE",
      defaultValue = "0",
      description = "Share of readings with a value outside the metric's range.")
  double faultOutOfRange;

  @Option(
      names = "--fault-malformed",
      paramLabel = "RATE",
      defaultValue = "0",
      description = "Share of messages replaced by bytes that are not a valid message.")
  double faultMalformed;

  @Option(
      names = "--telemetry",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Publish telemetry (--no-telemetry: only answer commands).")
  boolean telemetry;

  @Option(
      names = "--actuators",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Simulated actuators answer commands (default: on).")
  boolean actuators;

  @Option(
      names = "--ack-latency",
      paramLabel = "D",
      defaultValue = "200ms",
      converter = DurationConverter.class,
      description = "Actuators finish a command after about D (default: ${DEFAULT-VALUE}).")
  Duration ackLatency;

  @Option(
      names = "--ack-failure-rate",
      paramLabel = "RATE",
      defaultValue = "0",
      description = "Share of commands that fail.")
  double ackFailureRate;

  @Option(
      names = "--actuator-state",
      paramLabel = "DIR",
      description =
          "Where actuators remember executed command ids across restarts (default:"
              + " $XDG_STATE_HOME/citybrain/actuators/shard-<i>of<n>).")
  java.nio.file.Path actuatorState;

  @Option(
      names = "--max-command-lifetime",
      paramLabel = "D",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "Actuators refuse a command expiring further ahead than D (default: ${DEFAULT-VALUE}).")
  Duration maxCommandLifetime;

  @Option(
      names = "--client-id",
      paramLabel = "PREFIX",
      defaultValue = SimConfig.DEFAULT_CLIENT_ID_PREFIX,
      description = "MQTT client id prefix (default: ${DEFAULT-VALUE}).")
  String clientId;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the report as JSON to FILE ('-': stdout).")
  Path json;

  @Option(names = "--quiet", description = "No settings at the start and no live progress line.")
  boolean quiet;

  /** The flag of every setting of a run, for restating a setting's problem as its flag's. */
  static final Flags FLAGS =
      FleetOptions.FLAGS.and(
          Flags.of(
              "MQTT URL", "--mqtt-url",
              "MQTT client id", "--client-id",
              "MQTT CA certificate", "--mqtt-ca",
              "credentials", "--credentials",
              "connect as", "--connect-as",
              "QoS", "--qos",
              "connections", "--connections",
              "replay window", "--replay-window",
              "rate", "--rate",
              "speed", "--speed",
              "start time", "--start-time",
              "duration", "--duration",
              "max messages", "--count",
              "seed", "--seed",
              "districts", "--districts",
              "shard", "--shard",
              "scenario", "--scenario",
              "gateway batch", "--gateway-batch",
              "day hour", "--day-hour",
              "telemetry", "--telemetry",
              "fault skew", "--fault-skew",
              "fault future", "--fault-future",
              "fault future by", "--fault-future-by",
              "fault late", "--fault-late",
              "fault late by", "--fault-late-by",
              "fault duplicate", "--fault-duplicate",
              "fault out of range", "--fault-out-of-range",
              "fault malformed", "--fault-malformed",
              "actuators", "--actuators",
              "ack latency", "--ack-latency",
              "ack failure rate", "--ack-failure-rate",
              "max command lifetime", "--max-command-lifetime",
              "actuator state", "--actuator-state",
              "fleet credentials", "--credentials"));

  /** Runs a command line and returns its exit code: 0 done, 1 failed at run time, 2 bad flags. */
  public static int execute(String... args) {
    return commandLine(new SimCommand()).execute(args);
  }

  /**
   * The picocli command line with CityBrain's one-line errors: bad flags exit 2, failures at run
   * time exit 1.
   */
  public static CommandLine commandLine(Object command) {
    CommandLine line = new CommandLine(command);
    line.setParameterExceptionHandler(
        (e, args) -> {
          e.getCommandLine()
              .getErr()
              .println(
                  e.getCommandLine().getCommandSpec().qualifiedName()
                      + ": "
                      + e.getMessage()
                      + " (see --help)");
          return 2;
        });
    line.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          Throwable cause = e;
          while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
          }
          commandLine
              .getErr()
              .println(
                  commandLine.getCommandSpec().qualifiedName()
                      + ": "
                      + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
          return 1;
        });
    return line;
  }

  /**
   * The run's configuration from the parsed flags. A bad setting becomes a {@link
   * CommandLine.ParameterException} that names its flag; seed files that cannot be read fail as
   * they are (exit 1).
   */
  public SimConfig config() {
    FleetSettings city = fleet.settings();
    // The login's own problem is told once every other flag is known good.
    FleetCredentials credentials = null;
    InvalidSettingException loginProblem = null;
    try {
      credentials = login.fleet();
    } catch (InvalidSettingException e) {
      loginProblem = e;
    }
    CitySeeds seeds = city.load();
    try {
      Rate pace = rate == null ? Rate.REALTIME : Rate.parse(rate);
      if (realtime && rate != null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--rate and --realtime exclude each other");
      }
      Scenario played =
          scenario == null ? null : ScenarioLoader.load(scenario, city.source(), seeds);
      Duration length =
          duration != null
              ? duration
              : played != null ? Duration.ofSeconds(played.durationS()) : null;
      Set<String> selected = new LinkedHashSet<>();
      districts.forEach(d -> selected.add(d.trim().toUpperCase(Locale.ROOT)));
      MqttSettings mqtt =
          MqttSettings.builder(mqttUrl(), clientId).caCertificate(login.caCertificate()).build();
      return SimConfig.builder(seeds, city.expand(seeds), mqtt)
          .credentials(credentials)
          .connectAs(connectAs)
          .seedSource(city.source())
          .qos(qos)
          .connections(connections)
          .rate(pace)
          .speed(speed)
          .startEpochMs(startTime == null ? null : parseInstant(startTime))
          .duration(length)
          .maxMessages(count)
          .replayWindow(replayWindow)
          .seed(seed)
          .districts(selected)
          .shard(ShardSpec.parse(shard))
          .scenario(played)
          .faults(
              new FaultPlan(
                  faultSkew,
                  faultFuture,
                  faultLate,
                  faultDuplicate,
                  faultOutOfRange,
                  faultMalformed,
                  faultFutureBy.toMillis(),
                  faultLateBy.toMillis()))
          .gatewayBatch(gatewayBatch)
          .startHour(dayHour)
          .telemetry(telemetry)
          .actuators(
              new ActuatorSettings(actuators, ackLatency, ackFailureRate)
                  .withState(actuatorState, maxCommandLifetime)
                  .withFleet(credentials))
          .build();
    } catch (InvalidSettingException e) {
      throw FLAGS.restate(
          spec.commandLine(),
          loginProblem != null && "credentials".equals(e.setting()) ? loginProblem : e);
    } catch (IllegalArgumentException e) {
      // The scenario loader's own words: unknown scenario, or a scenario file that does not fit.
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** {@code gateways} or {@code devices}, in any case; anything else names the two. */
  static final class ConnectAsConverter implements CommandLine.ITypeConverter<SimConfig.ConnectAs> {
    @Override
    public SimConfig.ConnectAs convert(String value) {
      try {
        return SimConfig.ConnectAs.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "must be gateways or devices, was '" + value + "'");
      }
    }
  }

  /** The broker from --mqtt-url, or from its deprecated name --broker; not both. */
  private String mqttUrl() {
    if (broker == null) {
      return mqttUrl;
    }
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    if (parsed != null && parsed.hasMatchedOption("--mqtt-url")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--broker is the deprecated name of --mqtt-url: give only --mqtt-url");
    }
    return broker;
  }

  private static long parseInstant(String text) {
    try {
      return Instant.parse(text.trim()).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new InvalidSettingException(
          "start time",
          "must be an ISO-8601 instant such as 2026-11-23T08:00:00Z, was '" + text + "'");
    }
  }

  @Override
  public Integer call() throws Exception {
    SimConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
    if (!quiet) {
      out.println(config.describe());
    }
    CountDownLatch reported = new CountDownLatch(1);
    try (SimRun run = new SimRun(config, quiet ? null : System.err)) {
      // Ctrl+C: stop the run and hold the JVM until the report is out (the JVM halts when its hooks
      // return).
      Thread hook =
          new Thread(
              () -> {
                run.stop();
                try {
                  reported.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "sim-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      out.printf(
          "simulating %,d devices (rate %s, ~%,.0f msg/s realtime) against %s%n",
          run.deviceCount(), config.rate(), run.realtimeRate(), Redact.url(config.mqtt().url()));
      out.flush();
      try {
        SimReport report = run.run();
        out.print(report.toText());
        out.flush();
        if (json != null) {
          if ("-".equals(json.toString())) {
            out.println(report.toJson());
          } else {
            Files.writeString(json, report.toJson(), StandardCharsets.UTF_8);
          }
        }
      } finally {
        reported.countDown();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl+C: the JVM is already stopping; the report is out.
      }
      return 0;
    }
  }
}
