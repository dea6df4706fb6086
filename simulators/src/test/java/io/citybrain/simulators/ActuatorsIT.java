package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.Topics;
import io.citybrain.proto.sign.AckSignature;
import io.citybrain.proto.sign.CommandSignature;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Simulated actuators answer commands through the real broker: accept and finish a signed command
 * once, refuse unsigned, wrongly signed, expired, far-future and misaddressed ones with the reason,
 * answer a repeat with its first outcome, also after a restart, never run a retained command
 * replayed to a later subscriber; every ack is signed with the pump's ack key and names the digest
 * of the command it answers.
 */
@ExtendWith(CityServicesExtension.class)
class ActuatorsIT {
  private static final String PUMP = "DP-PMP-00001";

  @Test
  @DisplayName(
      "a pump executes a signed command once, answers its repeat with the first outcome, refuses a bad action")
  void answersCommands(TestServices services) throws Exception {
    Path state = Files.createTempDirectory("actuator-state");
    try (Actuators actuators = new Actuators(services, "0", state, services.uniqueId("act"))) {
      Subscriber acks = actuators.acks;
      long now = System.currentTimeMillis();
      Command first = actuators.signed(command("c-1", "start_pump", now + 60_000));
      actuators.send(first);
      assertThat(awaitAcks(acks, 2))
          .extracting(CommandAck::getStatus)
          .containsExactly(AckStatus.ACK_STATUS_ACCEPTED, AckStatus.ACK_STATUS_DONE);

      // A retry of the same id (attempt 2, new nonce) and a plain redelivery: answered, not run.
      Command retry = actuators.signed(command("c-1", "start_pump", now + 60_000).setAttempt(2));
      actuators.send(retry);
      actuators.send(first);
      actuators.send(actuators.signed(command("c-3", "fly", now + 60_000)));
      List<CommandAck> all = awaitAcks(acks, 5);
      assertThat(all.subList(2, 5))
          .extracting(CommandAck::getCommandId, CommandAck::getStatus, CommandAck::getAttempt)
          .containsExactly(
              Tuple.tuple("c-1", AckStatus.ACK_STATUS_DONE, 2),
              Tuple.tuple("c-1", AckStatus.ACK_STATUS_DONE, 1),
              Tuple.tuple("c-3", AckStatus.ACK_STATUS_REJECTED, 1));
      assertThat(all.get(2).getDetail())
          .isEqualTo(all.get(1).getDetail())
          .isEqualTo("start_pump done");
      assertThat(all.get(2).getCommandDigest().toByteArray())
          .isEqualTo(CommandSignature.digest(retry));
      assertThat(all.get(1).getCommandDigest().toByteArray())
          .isEqualTo(CommandSignature.digest(first));
      assertThat(all.get(4).getDetail())
          .contains("unknown action 'fly' for pump (accepts: start_pump, stop_pump)");
      assertThat(all).extracting(CommandAck::getSeq).isSorted().doesNotHaveDuplicates();
      assertThat(all)
          .allMatch(a -> a.getDeviceId().equals(PUMP) && a.getPlanRunId().equals("run-1"));
      byte[] ackKey = services.installation().ackKey(PUMP);
      assertThat(all).allMatch(a -> AckSignature.verifies(a, ackKey));
      assertThat(actuators.run.executions(PUMP)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName(
      "unsigned, wrongly signed, unexpiring, expired, far-future and misaddressed commands are refused with the reason and never run")
  void refusesUntrustedCommands(TestServices services) throws Exception {
    Path state = Files.createTempDirectory("actuator-state");
    Installation forger = Installation.generate(Files.createTempDirectory("forger"));
    try (Actuators actuators = new Actuators(services, "0", state, services.uniqueId("act"))) {
      long now = System.currentTimeMillis();
      String keyId = services.installation().commandKeyId();
      actuators.send(command("u-1", "start_pump", now + 60_000).build());
      actuators.send(
          CommandSignature.sign(
              command("u-2", "start_pump", now + 60_000), forger.commandSigningKey(), keyId));
      actuators.send(
          CommandSignature.sign(
              command("u-3", "start_pump", now + 60_000),
              forger.commandSigningKey(),
              forger.commandKeyId()));
      actuators.send(actuators.signed(command("u-4", "start_pump", 0)));
      actuators.send(actuators.signed(command("u-5", "start_pump", now - 1_000)));
      actuators.send(actuators.signed(command("u-6", "start_pump", now + 3_600_000)));
      actuators.send(
          actuators.signed(command("u-7", "start_pump", now + 60_000).setDistrict("FT")));
      // A signed command altered on the way: its expiry pushed out.
      actuators.send(
          actuators.signed(command("u-8", "start_pump", now + 60_000)).toBuilder()
              .setExpiresAtMs(now + 120_000)
              .build());
      List<CommandAck> all = awaitAcks(actuators.acks, 8);
      assertThat(all)
          .extracting(CommandAck::getCommandId, CommandAck::getStatus)
          .allMatch(t -> t.toList().get(1) == AckStatus.ACK_STATUS_REJECTED);
      assertThat(all)
          .extracting(a -> a.getCommandId() + ": " + a.getDetail().split(":| at ")[0])
          .containsExactly(
              "u-1: unsigned",
              "u-2: bad signature",
              "u-3: unknown key",
              "u-4: no expiry",
              "u-5: expired",
              "u-6: expiry too far ahead",
              "u-7: misaddressed",
              "u-8: bad signature");
      assertThat(actuators.run.executions(PUMP)).isZero();
    }
  }

  @Test
  @DisplayName(
      "a signed command published retained on the API's login is refused by the broker, or never replayed to a later subscriber")
  void refusesReplayedRetainedCommands(TestServices services) throws Exception {
    String topic = Topics.command("DP", PUMP);
    Command command =
        sign(
            services.installation(),
            command("k-1", "start_pump", System.currentTimeMillis() + 60_000));
    boolean stored = false;
    try (MqttConnection api =
        PahoConnection.connect(
            MqttSettings.of(services.mqttUrl(), services.uniqueId("retainer"))
                .withLogin(services.login(Principal.api())))) {
      try {
        try (Actuators live =
            new Actuators(
                services,
                "0",
                Files.createTempDirectory("actuator-state"),
                services.uniqueId("act"))) {
          Throwable refused = publishRetained(api, topic, command.toByteArray());
          if (refused != null) {
            // Embedded HiveMQ: only the job may retain, so nothing was stored or delivered.
            assertThat(refused).hasMessageContaining("0x87");
            Thread.sleep(300);
            assertThat(live.acks.count()).isZero();
            assertThat(live.run.executions(PUMP)).isZero();
            return;
          }
          stored = true;
          // Mosquitto lets whoever may publish retain. A live subscription gets the message with
          // the retain flag cleared (MQTT 5 without Retain As Published): a command sent once, run
          // once, as if published plainly.
          assertThat(awaitAcks(live.acks, 2))
              .extracting(CommandAck::getStatus)
              .containsExactly(AckStatus.ACK_STATUS_ACCEPTED, AckStatus.ACK_STATUS_DONE);
          assertThat(live.run.executions(PUMP)).isEqualTo(1);
        }
        // A later subscriber, with no journal of its own, gets the stored copy flagged retained:
        // a replay, refused. The ack listener subscribes first, so the answer is not missed.
        try (Subscriber acks =
                new Subscriber(
                    services.mqttUrl(),
                    services.login(Principal.api()),
                    services.uniqueId("acks"),
                    Topics.ack("DP", PUMP),
                    1);
            Actuators later =
                new Actuators(
                    services,
                    "0",
                    Files.createTempDirectory("actuator-state"),
                    services.uniqueId("act"))) {
          List<CommandAck> replayed = awaitAcks(acks, 1);
          assertThat(replayed)
              .extracting(CommandAck::getCommandId, CommandAck::getStatus, CommandAck::getDetail)
              .containsExactly(
                  Tuple.tuple(
                      "k-1",
                      AckStatus.ACK_STATUS_REJECTED,
                      "retained: a command is never retained, a retained one is a replay"));
          Thread.sleep(300); // no ACCEPTED or DONE follows
          assertThat(acks.count()).isEqualTo(1);
          assertThat(later.run.executions(PUMP)).isZero();
        }
      } finally {
        if (stored) {
          // An empty retained message removes the stored one: later tests see no replay.
          assertThat(publishRetained(api, topic, new byte[0])).isNull();
        }
      }
    }
  }

  @Test
  @DisplayName("after a restart on the same state folder, an executed command is answered, not run")
  void remembersAcrossRestart(TestServices services) throws Exception {
    Path state = Files.createTempDirectory("actuator-state");
    long now = System.currentTimeMillis();
    Command.Builder command = command("r-1", "start_pump", now + 60_000);
    try (Actuators actuators = new Actuators(services, "0", state, services.uniqueId("act"))) {
      actuators.send(actuators.signed(command));
      assertThat(awaitAcks(actuators.acks, 2))
          .extracting(CommandAck::getStatus)
          .containsExactly(AckStatus.ACK_STATUS_ACCEPTED, AckStatus.ACK_STATUS_DONE);
      assertThat(actuators.run.executions(PUMP)).isEqualTo(1);
    }
    try (Actuators restarted = new Actuators(services, "0", state, services.uniqueId("act"))) {
      restarted.send(restarted.signed(command.setAttempt(2)));
      List<CommandAck> acks = awaitAcks(restarted.acks, 1);
      assertThat(acks)
          .extracting(CommandAck::getCommandId, CommandAck::getStatus, CommandAck::getDetail)
          .containsExactly(Tuple.tuple("r-1", AckStatus.ACK_STATUS_DONE, "start_pump done"));
      Thread.sleep(300); // no ACCEPTED or second DONE follows
      assertThat(restarted.acks.count()).isEqualTo(1);
      assertThat(restarted.run.executions(PUMP)).isZero();
    }
  }

  @Test
  @DisplayName("with --ack-failure-rate 1 every accepted command fails")
  void failures(TestServices services) throws Exception {
    try (Actuators actuators =
        new Actuators(
            services, "1", Files.createTempDirectory("actuator-state"), services.uniqueId("act"))) {
      actuators.send(
          actuators.signed(command("f-1", "stop_pump", System.currentTimeMillis() + 60_000)));
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
                "--actuator-state",
                Files.createTempDirectory("actuator-state").toString(),
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
            sign(
                services.installation(),
                command(
                    "s-" + i,
                    i % 2 == 0 ? "start_pump" : "stop_pump",
                    System.currentTimeMillis() + 60_000)));
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

  private static Command sign(Installation installation, Command.Builder command) {
    return CommandSignature.sign(
        command, installation.commandSigningKey(), installation.commandKeyId());
  }

  private static Command.Builder command(String id, String action, long expiresAt) {
    return Command.newBuilder()
        .setCommandId(id)
        .setDeviceId(PUMP)
        .setDistrict("DP")
        .setAction(action)
        .setIssuedAtMs(System.currentTimeMillis())
        .setExpiresAtMs(expiresAt)
        .setPlanRunId("run-1")
        .setAttempt(1);
  }

  private static void send(MqttConnection connection, Command command) throws Exception {
    CompletableFuture<Throwable> done = new CompletableFuture<>();
    connection.publish("city/v1/DP/cmd/" + PUMP, command.toByteArray(), 1, 60, done::complete);
    assertThat(done.get(10, TimeUnit.SECONDS)).isNull();
  }

  private static Throwable publishRetained(MqttConnection connection, String topic, byte[] payload)
      throws Exception {
    CompletableFuture<Throwable> done = new CompletableFuture<>();
    connection.publish(topic, payload, 1, true, done::complete);
    return done.get(10, TimeUnit.SECONDS);
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

    private final Installation installation;

    Actuators(TestServices services, String failureRate, Path state, String clientId)
        throws InterruptedException {
      installation = services.installation();
      run =
          new SimRun(
              SimFixture.config(
                  "--mqtt-url",
                  services.mqttUrl(),
                  "--credentials",
                  services.credentials().toString(),
                  "--client-id",
                  clientId,
                  "--no-telemetry",
                  "--districts",
                  "DP",
                  "--ack-latency",
                  "50ms",
                  "--ack-failure-rate",
                  failureRate,
                  "--actuator-state",
                  state.toString(),
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

    Command signed(Command.Builder command) {
      return sign(installation, command);
    }

    void send(Command command) throws Exception {
      ActuatorsIT.send(coordinator, command);
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
