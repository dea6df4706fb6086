package io.citybrain.api;

import static org.awaitility.Awaitility.await;

import io.citybrain.mqtt.MqttSettings;
import io.citybrain.simulators.SimCommand;
import io.citybrain.simulators.SimConfig;
import io.citybrain.simulators.SimRun;
import io.citybrain.testkit.TestServices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * The simulator's actuators only (no telemetry), in-process, answering one district's commands
 * through the broker (app's ApiKillIT and DatabasePauseIT use them too, through the test jar).
 */
public final class SimActuators implements AutoCloseable {
  private final SimRun run;
  private final Thread thread;

  /** A fresh journal folder: each test's actuators start with no command executed. */
  private static java.nio.file.Path stateFolder() {
    try {
      return java.nio.file.Files.createTempDirectory("actuator-state");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  SimActuators(TestServices services, String district, String ackLatency, String failureRate)
      throws InterruptedException {
    this(services, district, ackLatency, failureRate, services.uniqueId("actuators"), null, false);
  }

  /**
   * Actuators that remember executed ids in {@code state} (on a clean session of a fresh client
   * id): started again on the same folder after a crash, they execute no command twice.
   */
  public static SimActuators remembering(
      TestServices services, String district, String ackLatency, Path state)
      throws InterruptedException {
    return new SimActuators(
        services, district, ackLatency, "0", services.uniqueId("actuators"), state, false);
  }

  /**
   * Actuators on a persistent session (client id {@code clientId}, kept an hour by the broker)
   * remembering executed ids in {@code state}: closing and starting them again with the same two is
   * a device that was offline and reconnects.
   */
  static SimActuators persistent(
      TestServices services, String district, String ackLatency, String clientId, Path state)
      throws InterruptedException {
    return new SimActuators(services, district, ackLatency, "0", clientId, state, true);
  }

  private SimActuators(
      TestServices services,
      String district,
      String ackLatency,
      String failureRate,
      String clientId,
      Path state,
      boolean persistentSession)
      throws InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--mqtt-url",
                services.mqttUrl(),
                // The devices' side holds the fleet's secrets only.
                "--credentials",
                services.installation().fleet().folder().toString(),
                "--client-id",
                clientId,
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
                "7",
                "--actuator-state",
                (state == null ? stateFolder() : state).toString()));
    SimCommand command = new SimCommand();
    new CommandLine(command).parseArgs(args.toArray(String[]::new));
    SimConfig config = command.config();
    if (persistentSession) {
      MqttSettings session =
          config.mqtt().toBuilder().cleanStart(false).sessionExpirySeconds(3600).build();
      config =
          SimConfig.builder(config.seeds(), config.fleet(), session)
              .credentials(config.credentials())
              .districts(config.districts())
              .telemetry(false)
              .connections(1)
              .seed(config.seed())
              .actuators(config.actuators())
              .build();
    }
    run = new SimRun(config, null);
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
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(run::actuatorsReady);
  }

  /** How many commands the device has executed: each command id at most once. */
  public long executions(String deviceId) {
    return run.executions(deviceId);
  }

  @Override
  public void close() throws InterruptedException {
    run.stop();
    thread.join(10_000);
    run.close();
  }
}
