package io.citybrain.simulators;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Scenario;
import io.citybrain.seeds.ScenarioLoader;
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

  @Option(
      names = "--broker",
      paramLabel = "URL",
      defaultValue = "${env:CITYBRAIN_MQTT_URL:-tcp://127.0.0.1:1883}",
      description = "MQTT broker (env CITYBRAIN_MQTT_URL; default: ${DEFAULT-VALUE}).")
  String broker;

  @Option(
      names = "--qos",
      defaultValue = "1",
      description = "QoS of telemetry: 0 or 1 (default: ${DEFAULT-VALUE}).")
  int qos;

  @Option(
      names = "--connections",
      defaultValue = "4",
      description = "MQTT connections to publish over (default: ${DEFAULT-VALUE}).")
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
      defaultValue = "1",
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
      defaultValue = "1",
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
      defaultValue = "9",
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
      names = "--client-id",
      paramLabel = "PREFIX",
      defaultValue = "citybrain-sim",
      description = "MQTT client id prefix (default: ${DEFAULT-VALUE}).")
  String clientId;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the report as JSON to FILE ('-': stdout).")
  Path json;

  @Option(names = "--quiet", description = "No live progress line.")
  boolean quiet;

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
   * The run's configuration from the parsed flags; flag errors become {@link
   * CommandLine.ParameterException}.
   */
  public SimConfig config() {
    CitySeeds seeds = fleet.load();
    try {
      Rate pace = rate == null ? Rate.REALTIME : Rate.parse(rate);
      if (realtime && rate != null) {
        throw new IllegalArgumentException("--rate and --realtime exclude each other");
      }
      Scenario played =
          scenario == null ? null : ScenarioLoader.load(scenario, fleet.source(), seeds);
      Duration length =
          duration != null
              ? duration
              : played != null ? Duration.ofSeconds(played.durationS()) : null;
      Set<String> selected = new LinkedHashSet<>();
      districts.forEach(d -> selected.add(d.trim().toUpperCase(Locale.ROOT)));
      if (count < 0) {
        throw new IllegalArgumentException("--count must not be negative, was " + count);
      }
      return new SimConfig(
          seeds,
          fleet.expand(seeds),
          broker,
          qos,
          connections,
          pace,
          length,
          count,
          seed,
          selected,
          ShardSpec.parse(shard),
          played,
          new FaultPlan(
              faultSkew,
              faultFuture,
              faultLate,
              faultDuplicate,
              faultOutOfRange,
              faultMalformed,
              faultFutureBy.toMillis(),
              faultLateBy.toMillis()),
          gatewayBatch,
          dayHour,
          clientId,
          telemetry,
          new ActuatorSettings(actuators, ackLatency, ackFailureRate),
          speed,
          startTime == null ? null : parseInstant(startTime));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  private static long parseInstant(String text) {
    try {
      return Instant.parse(text.trim()).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--start-time must be an ISO-8601 instant such as 2026-11-23T08:00:00Z, was '"
              + text
              + "'",
          e);
    }
  }

  @Override
  public Integer call() throws Exception {
    SimConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
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
          run.deviceCount(), config.rate(), run.realtimeRate(), config.brokerUrl());
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
