package io.citybrain.app.kill;

import io.citybrain.simulators.SimCommand;
import io.citybrain.simulators.SimRun;
import io.citybrain.testkit.TestServices;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine;

/**
 * The kill suite's deterministic input: the whole city's simulator with a fixed seed and start
 * time, the kill scenario, QoS 1, one connection per district gateway (each device's messages reach
 * the broker in seq order), time-lapse at the suite's speed, for as many simulated seconds as give
 * the suite's readings. The same sizes give the same messages, seqs and event times every run.
 */
record KillInput(KillSizes sizes, long simulatedSeconds) {
  static final Instant START = Instant.parse("2025-06-01T01:00:00Z");
  static final Path SCENARIO = Path.of("src/test/resources/kill-scenario.yaml");

  /** The input for these sizes: simulated seconds enough for the readings at the city's rate. */
  static KillInput of(KillSizes sizes, TestServices services) {
    double perSecond =
        simulator(sizes, 1, "tcp://127.0.0.1:1", services.credentials(), "rate").realtimeRate();
    // 2% over: detections and the scenario's outage make the rate vary around its mean.
    return new KillInput(sizes, (long) Math.ceil(sizes.readings() * 1.02 / perSecond));
  }

  /** The wall-clock time publishing takes at the suite's speed, about. */
  double publishingSeconds() {
    return simulatedSeconds / sizes.speed();
  }

  /** The simulator for this input on this broker, logged in as the districts' gateways. */
  SimRun simulator(TestServices services, String brokerUrl) {
    return simulator(
        sizes, simulatedSeconds, brokerUrl, services.credentials(), services.uniqueId("kill-sim"));
  }

  private static SimRun simulator(
      KillSizes sizes, long seconds, String brokerUrl, Path credentials, String clientId) {
    SimCommand command = new SimCommand();
    new CommandLine(command)
        .parseArgs(
            List.of(
                    "--mqtt-url",
                    brokerUrl,
                    "--credentials",
                    credentials.toString(),
                    "--client-id",
                    clientId,
                    "--no-actuators",
                    "--connections",
                    "1",
                    "--qos",
                    "1",
                    "--quiet",
                    "--scenario",
                    SCENARIO.toAbsolutePath().toString(),
                    "--speed",
                    Double.toString(sizes.speed()),
                    "--start-time",
                    START.toString(),
                    "--duration",
                    seconds + "s",
                    "--seed",
                    Long.toString(sizes.seed()),
                    "--day-hour",
                    "9")
                .toArray(String[]::new));
    return new SimRun(command.config(), null);
  }
}
