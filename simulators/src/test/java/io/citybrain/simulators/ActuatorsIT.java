package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Simulated actuators answer commands through the real broker: accept and finish, refuse expired
 * and repeated ones.
 */
@ExtendWith(CityServicesExtension.class)
class ActuatorsIT {
  private static final String PUMP = "DP-PMP-00001";

  @Test
  @DisplayName(
      "a pump accepts and finishes a command, refuses it repeated, refuses an expired one and a bad action")
  void answersCommands(TestServices services) throws Exception {
    try (Actuators actuators = new Actuators(services, "0")) {
      Subscriber acks = actuators.acks;
      MqttConnection coordinator = actuators.coordinator;
      long now = System.currentTimeMillis();
      send(coordinator, command("c-1", "start_pump", now + 60_000));
      assertThat(awaitAcks(acks, 2))
          .extracting(CommandAck::getStatus)
          .containsExactly(AckStatus.ACK_STATUS_ACCEPTED, AckStatus.ACK_STATUS_DONE);

      send(coordinator, command("c-1", "start_pump", now + 60_000));
      send(coordinator, command("c-2", "start_pump", now - 1_000));
      send(coordinator, command("c-3", "fly", now + 60_000));
      List<CommandAck> all = awaitAcks(acks, 5);
      assertThat(all.subList(2, 5))
          .extracting(CommandAck::getCommandId, CommandAck::getStatus)
          .containsExactly(
              Tuple.tuple("c-1", AckStatus.ACK_STATUS_REJECTED),
              Tuple.tuple("c-2", AckStatus.ACK_STATUS_REJECTED),
              Tuple.tuple("c-3", AckStatus.ACK_STATUS_REJECTED));
      assertThat(all.get(2).getDetail()).contains("duplicate");
      assertThat(all.get(3).getDetail()).contains("expired");
      assertThat(all.get(4).getDetail())
          .contains("unknown action 'fly' for pump (accepts: start_pump, stop_pump)");
      assertThat(all).extracting(CommandAck::getSeq).isSorted().doesNotHaveDuplicates();
      assertThat(all)
          .allMatch(a -> a.getDeviceId().equals(PUMP) && a.getPlanRunId().equals("run-1"));
    }
  }

  @Test
  @DisplayName("with --ack-failure-rate 1 every accepted command fails")
  void failures(TestServices services) throws Exception {
    try (Actuators actuators = new Actuators(services, "1")) {
      send(actuators.coordinator, command("f-1", "stop_pump", System.currentTimeMillis() + 60_000));
      assertThat(awaitAcks(actuators.acks, 2))
          .extracting(CommandAck::getStatus)
          .containsExactly(AckStatus.ACK_STATUS_ACCEPTED, AckStatus.ACK_STATUS_FAILED);
    }
  }

  @Test
  @DisplayName(
      "while the pump also reports, its telemetry and acks carry one seq that rises by one on the wire")
  void acksAndTelemetryShareOneSeq(TestServices services) throws Exception {
    // At 20,000 msg/s over Dapeng the pump heartbeats about every second, so acks interleave with
    // its telemetry.
    SimRun run =
        new SimRun(
            SimFixture.config(
                "--mqtt-url",
                services.mqttUrl(),
                "--credentials",
                services.credentials().toString(),
                "--client-id",
                services.uniqueId("sim"),
                "--districts",
                "DP",
                "--rate",
                "20000",
                "--qos",
                "1",
                "--ack-latency",
                "30ms",
                "--duration",
                "8s"),
            null);
    try (Subscriber pump =
            new Subscriber(
                services.mqttUrl(),
                services.login(Principal.brokerAdmin()),
                services.uniqueId("pump"),
                "city/v1/DP/+/" + PUMP,
                1);
        MqttConnection coordinator =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("coordinator"))
                    .withLogin(services.login(Principal.api())))) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  run.run();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      thread.start();
      await("actuators subscribed").atMost(Duration.ofSeconds(10)).until(run::actuatorsReady);
      for (int i = 0; i < 20; i++) {
        send(
            coordinator,
            command(
                "s-" + i,
                i % 2 == 0 ? "start_pump" : "stop_pump",
                System.currentTimeMillis() + 60_000));
        // Spread over the run, so that acks interleave with the pump's heartbeats.
        Thread.sleep(150);
      }
      thread.join(20_000);
      // The run has its PUBACKs; what the broker still holds for the pump's subscriber follows.
      await("the 40 acks on the wire")
          .atMost(Duration.ofSeconds(10))
          .until(() -> pump.all().stream().filter(r -> r.topic().contains("/ack/")).count() >= 40);
      List<Long> seqs = new ArrayList<>();
      int acks = 0;
      for (Subscriber.Received r : pump.all()) {
        if (r.topic().contains("/cmd/")) {
          continue; // the commands themselves match the filter too
        }
        if (r.topic().contains("/ack/")) {
          seqs.add(CommandAck.parseFrom(r.payload()).getSeq());
          acks++;
        } else {
          seqs.add(Heartbeat.parseFrom(r.payload()).getSeq());
        }
      }
      assertThat(acks).isEqualTo(40);
      assertThat(seqs.size()).isGreaterThan(acks);
      for (int i = 1; i < seqs.size(); i++) {
        assertThat(seqs.get(i)).as("seq after %d", seqs.get(i - 1)).isEqualTo(seqs.get(i - 1) + 1);
      }
    } finally {
      run.close();
    }
  }

  private static Command command(String id, String action, long expiresAt) {
    return Command.newBuilder()
        .setCommandId(id)
        .setDeviceId(PUMP)
        .setDistrict("DP")
        .setAction(action)
        .setIssuedAtMs(System.currentTimeMillis())
        .setExpiresAtMs(expiresAt)
        .setPlanRunId("run-1")
        .setAttempt(1)
        .build();
  }

  private static void send(MqttConnection connection, Command command) throws Exception {
    CompletableFuture<Throwable> done = new CompletableFuture<>();
    connection.publish("city/v1/DP/cmd/" + PUMP, command.toByteArray(), 1, 60, done::complete);
    assertThat(done.get(10, TimeUnit.SECONDS)).isNull();
  }

  private static List<CommandAck> awaitAcks(Subscriber acks, int n) throws Exception {
    acks.awaitCount(n, 10_000);
    List<CommandAck> list = new ArrayList<>();
    for (Subscriber.Received r : acks.all()) {
      list.add(CommandAck.parseFrom(r.payload()));
    }
    return list;
  }

  /**
   * A simulator answering Dapeng's commands in the background, a coordinator's connection, and an
   * ack listener.
   */
  private static final class Actuators implements AutoCloseable {
    private final SimRun run;
    private final Thread thread;
    final Subscriber acks;
    final MqttConnection coordinator;

    Actuators(TestServices services, String failureRate) throws InterruptedException {
      run =
          new SimRun(
              SimFixture.config(
                  "--mqtt-url",
                  services.mqttUrl(),
                  "--credentials",
                  services.credentials().toString(),
                  "--client-id",
                  services.uniqueId("act"),
                  "--no-telemetry",
                  "--districts",
                  "DP",
                  "--ack-latency",
                  "50ms",
                  "--ack-failure-rate",
                  failureRate,
                  "--connections",
                  "1"),
              null);
      thread =
          new Thread(
              () -> {
                try {
                  run.run();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "actuators-under-test");
      thread.start();
      // The run subscribes before it starts waiting; give the SUBACK a moment on a loaded machine.
      await("actuators subscribed").atMost(Duration.ofSeconds(10)).until(run::actuatorsReady);
      acks =
          new Subscriber(
              services.mqttUrl(),
              services.login(Principal.api()),
              services.uniqueId("acks"),
              "city/v1/DP/ack/+",
              1);
      coordinator =
          PahoConnection.connect(
              MqttSettings.of(services.mqttUrl(), services.uniqueId("coordinator"))
                  .withLogin(services.login(Principal.api())));
    }

    @Override
    public void close() throws Exception {
      coordinator.close();
      acks.close();
      run.stop();
      thread.join(10_000);
      run.close();
    }
  }
}
