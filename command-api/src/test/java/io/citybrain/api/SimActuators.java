package io.citybrain.api;

import static org.awaitility.Awaitility.await;

import io.citybrain.simulators.SimCommand;
import io.citybrain.simulators.SimRun;
import io.citybrain.testkit.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * The simulator's actuators only (no telemetry), in-process, answering one district's commands
 * through the broker.
 */
final class SimActuators implements AutoCloseable {
  private final SimRun run;
  private final Thread thread;

  SimActuators(TestServices services, String district, String ackLatency, String failureRate)
      throws InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--broker",
                services.mqttUrl(),
                "--credentials",
                services.credentials().toString(),
                "--client-id",
                services.uniqueId("actuators"),
                "--no-telemetry",
                "--districts",
                district,
                "--ack-latency",
                ackLatency,
                "--ack-failure-rate",
                failureRate,
                "--connections",
                "1",
                "--seed",
                "7"));
    SimCommand command = new SimCommand();
    new CommandLine(command).parseArgs(args.toArray(String[]::new));
    run = new SimRun(command.config(), null);
    thread =
        new Thread(
            () -> {
              try {
                run.run();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "actuators-" + district);
    thread.start();
    await("actuators subscribed")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .until(run::actuatorsReady);
  }

  @Override
  public void close() throws InterruptedException {
    run.stop();
    thread.join(10_000);
    run.close();
  }
}
