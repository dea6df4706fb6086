package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
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
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Commands as a trust boundary, on the real broker and database: forged acks change nothing and are
 * audited, a slow device and a device offline for the whole plan each execute at most once. Every
 * party logs in as the principal it plays.
 */
@ExtendWith(CityServicesExtension.class)
class CommandTrustIT {
  private static final long ACK_TIMEOUT_MS = 2_000;

  /** The device a forgery claims to be, on another device's ack topic. */
  private static final String CLAIMED_DEVICE = "DP-ZZ-9999";

  private static ApiFixture f;
  private static CommandObserver observer;
  private static List<Command> commands;
  private static List<CommandAck> acks;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f =
        ApiFixture.start(
            services, c -> c.ackTimeout(Duration.ofMillis(ACK_TIMEOUT_MS)).maxAttempts(3));
    observer = new CommandObserver(services, "DP");
    commands = observer.commands;
    acks = observer.acks;
  }

  @AfterAll
  static void stop() {
    if (observer != null) {
      observer.close();
    }
    if (f != null) {
      f.close();
    }
  }

  @Test
  @DisplayName(
      "a forger on the district's gateway login answering DONE makes no target done without real actuators; every target times out and the forgeries are audited")
  void forgedDoneWithoutActuators() throws Exception {
    try (Forger forger = new Forger(f.services)) {
      String runId = trigger("req-trust-forged-alone");
      JsonObject finished = awaitFinished(runId);
      assertThat(forger.answered).as("commands the forger answered").isNotEmpty();
      assertThat(finished.getString("state")).isEqualTo("partially_failed");
      assertThat(finished.getJsonArray("targets"))
          .allSatisfy(t -> assertThat(((JsonObject) t).getString("state")).isEqualTo("timed_out"));
      assertNoForgedDetail(runId);
      assertForgeriesAudited(runId);
      assertAuditedUnderTheTopicsDevice(runId);
    }
  }

  @Test
  @DisplayName(
      "with the forger and the real actuators answering, every target ends done from the actuator's signed ack")
  void forgedDoneBesideActuators() throws Exception {
    try (Forger forger = new Forger(f.services);
        SimActuators actuators = new SimActuators(f.services, "DP", "300ms", "0")) {
      String runId = trigger("req-trust-forged-beside");
      JsonObject finished = awaitFinished(runId);
      assertThat(forger.answered).as("commands the forger answered").isNotEmpty();
      assertThat(finished.getString("state")).isEqualTo("completed");
      for (Object t : finished.getJsonArray("targets")) {
        JsonObject target = (JsonObject) t;
        assertThat(target.getString("state")).isEqualTo("done");
        assertThat(actuators.executions(target.getString("device_id"))).isEqualTo(1L);
      }
      assertNoForgedDetail(runId);
      assertForgeriesAudited(runId);
      assertAuditedUnderTheTopicsDevice(runId);
    }
  }

  @Test
  @DisplayName(
      "a device slower than the ack timeout gets the next attempt under the same id, executes once, and ends done")
  void slowDeviceExecutesOnce() throws Exception {
    // DONE 1.5-4.5 s after a command, against a 2 s ack timeout: most targets are retried.
    try (SimActuators actuators = new SimActuators(f.services, "DP", "3s", "0")) {
      String runId = trigger("req-trust-slow");
      JsonObject finished = awaitFinished(runId);
      assertThat(finished.getString("state")).as(finished.encode()).isEqualTo("completed");
      int retried = 0;
      for (Object t : finished.getJsonArray("targets")) {
        JsonObject target = (JsonObject) t;
        String commandId = target.getString("command_id");
        assertThat(actuators.executions(target.getString("device_id")))
            .as("executions of %s", commandId)
            .isEqualTo(1L);
        List<Command> attempts = sentFor(runId, commandId);
        assertThat(attempts).allMatch(c -> c.getCommandId().equals(commandId));
        if (attempts.size() > 1) {
          retried++;
          // The repeat is answered, not executed: "already running", then the one DONE.
          assertThat(acks)
              .anyMatch(
                  a ->
                      a.getCommandId().equals(commandId)
                          && a.getAttempt() > 1
                          && a.getStatus() == AckStatus.ACK_STATUS_ACCEPTED
                          && a.getDetail().equals("already running"));
        }
      }
      assertThat(retried).as("targets retried").isPositive();
    }
  }

  @Test
  @DisplayName(
      "a device offline for the whole plan on a persistent session reconnects to no expired attempt: none is executed, while a live command queued meanwhile runs once")
  void offlineDeviceRunsNoExpiredAttempt() throws Exception {
    String clientId = f.services.uniqueId("offline-actuators");
    Path state = Files.createTempDirectory("offline-actuator-state");
    // Online once, so the broker holds the session and its subscription while the device is away.
    SimActuators.persistent(f.services, "DP", "50ms", clientId, state).close();

    String runId = trigger("req-trust-offline");
    JsonObject finished = awaitFinished(runId);
    assertThat(finished.getJsonArray("targets"))
        .allSatisfy(t -> assertThat(((JsonObject) t).getString("state")).isEqualTo("timed_out"));
    List<Command> sent = commands.stream().filter(c -> c.getPlanRunId().equals(runId)).toList();
    assertThat(sent).isNotEmpty().allMatch(c -> c.getExpiresAtMs() <= System.currentTimeMillis());

    // Proof that the session queues for the absent device: a signed command with time left.
    String probeDevice = sent.get(0).getDeviceId();
    Command probe = probe(sent.get(0));
    try (MqttConnection api =
        PahoConnection.connect(
            MqttSettings.builder(f.services.mqttUrl(), f.services.uniqueId("probe-api"))
                .login(f.services.login(Principal.api()))
                .build())) {
      CompletableFuture<Throwable> done = new CompletableFuture<>();
      api.publish(Topics.command("DP", probeDevice), probe.toByteArray(), 1, 60, done::complete);
      assertThat(done.get(10, TimeUnit.SECONDS)).isNull();
    }

    try (SimActuators back = SimActuators.persistent(f.services, "DP", "50ms", clientId, state)) {
      await("the queued probe executed")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> back.executions(probeDevice) == 1);
      // Anything else still queued would have arrived with the probe, in order before it.
      Thread.sleep(500);
      for (Object t : finished.getJsonArray("targets")) {
        String device = ((JsonObject) t).getString("device_id");
        assertThat(back.executions(device))
            .as("executions of %s", device)
            .isEqualTo(device.equals(probeDevice) ? 1L : 0L);
      }
      assertThat(acks)
          .filteredOn(a -> a.getPlanRunId().equals(runId))
          .noneMatch(
              a ->
                  a.getStatus() == AckStatus.ACK_STATUS_ACCEPTED
                      || a.getStatus() == AckStatus.ACK_STATUS_DONE);
    }
  }

  /** A command the API would send, signed with the installation's key, living a minute. */
  private static Command probe(Command like) {
    long now = System.currentTimeMillis();
    return CommandSignature.sign(
        Command.newBuilder()
            .setCommandId("trust-probe-" + f.services.uniqueId("c"))
            .setDeviceId(like.getDeviceId())
            .setDistrict("DP")
            .setAction(like.getAction())
            .putAllParams(like.getParamsMap())
            .setIssuedAtMs(now)
            .setExpiresAtMs(now + 60_000)
            .setPlanRunId("probe")
            .setAttempt(1),
        f.services.installation().commandSigningKey(),
        f.services.installation().commandKeyId());
  }

  private static void assertNoForgedDetail(String runId) throws Exception {
    assertThat(
            TestData.count(
                f.services.dataSource(),
                """
        SELECT count(*) FROM command_event e JOIN command c USING (command_id)
        WHERE c.run_id = ? AND e.detail LIKE '%forged%'""",
                runId))
        .isZero();
  }

  private static void assertForgeriesAudited(String runId) throws Exception {
    for (String reason : List.of("unsigned", "bad signature", "misaddressed")) {
      await("a refused ack audited as " + reason)
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  TestData.count(
                      f.services.dataSource(),
                      """
                  SELECT count(*) FROM audit_log a JOIN command c ON c.command_id = a.target
                  WHERE c.run_id = ? AND a.action = 'command.ack' AND a.outcome = 'refused'
                    AND a.district = 'DP' AND a.detail->>'reason' LIKE ?""",
                      runId,
                      reason + "%"),
              n -> n > 0);
    }
  }

  /** Every refused ack of the run is audited under its topic's device, whatever it claims. */
  private static void assertAuditedUnderTheTopicsDevice(String runId) throws Exception {
    await("a refused ack claiming " + CLAIMED_DEVICE + " audited")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                TestData.count(
                    f.services.dataSource(),
                    """
                SELECT count(*) FROM audit_log a JOIN command c ON c.command_id = a.target
                WHERE c.run_id = ? AND a.action = 'command.ack' AND a.outcome = 'refused'
                  AND a.actor = 'device:' || c.device_id
                  AND a.detail->>'claimed_device_id' = ?""",
                    runId,
                    CLAIMED_DEVICE),
            n -> n > 0);
    assertThat(
            TestData.count(
                f.services.dataSource(),
                """
        SELECT count(*) FROM audit_log a JOIN command c ON c.command_id = a.target
        WHERE c.run_id = ? AND a.action = 'command.ack' AND a.outcome = 'refused'
          AND a.actor <> 'device:' || c.device_id""",
                runId))
        .as("refused acks audited under another actor than their topic's device")
        .isZero();
  }

  private static List<Command> sentFor(String runId, String commandId) {
    return commands.stream()
        .filter(c -> c.getPlanRunId().equals(runId) && c.getCommandId().equals(commandId))
        .toList();
  }

  private static String trigger(String requestId) throws Exception {
    ApiClient.Reply created =
        f.client.post(
            "/api/v1/responses",
            f.token("coord-dp"),
            new JsonObject()
                .put("request_id", requestId)
                .put("plan_id", "district_coordination")
                .put("district", "DP"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    return created.json().getString("run_id");
  }

  private static JsonObject awaitFinished(String runId) {
    return await("run " + runId + " finished")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> f.client.get("/api/v1/responses/" + runId, f.token("viewer")).json(),
            r -> !"running".equals(r.getString("state")));
  }

  /**
   * Logged in as the district's gateway (which may read its district's commands and publish its
   * acks), answers every command DONE four ways: unsigned, signed with a key of its own, signed
   * naming another district, and signed claiming another device.
   */
  private static final class Forger implements AutoCloseable {
    final List<String> answered = new CopyOnWriteArrayList<>();
    private final MqttConnection mqtt;
    private final byte[] wrongKey = new byte[32];

    /** Publishes block while the in-flight window is full: never on the callback thread. */
    private final ExecutorService sender = Executors.newSingleThreadExecutor();

    Forger(TestServices services) {
      new SecureRandom().nextBytes(wrongKey);
      mqtt =
          PahoConnection.connect(
              MqttSettings.builder(services.mqttUrl(), services.uniqueId("forger"))
                  .login(services.login(Principal.districtGateway("DP")))
                  .build());
      mqtt.subscribe(
          "city/v1/DP/cmd/+", 1, (topic, payload) -> sender.execute(() -> answer(payload)));
    }

    private void answer(byte[] payload) {
      Command c = parse(Command::parseFrom, payload);
      CommandAck.Builder done =
          CommandAck.newBuilder()
              .setCommandId(c.getCommandId())
              .setDeviceId(c.getDeviceId())
              .setDistrict(c.getDistrict())
              .setStatus(AckStatus.ACK_STATUS_DONE)
              .setDetail("forged done")
              .setAtMs(System.currentTimeMillis())
              .setPlanRunId(c.getPlanRunId())
              .setAttempt(c.getAttempt())
              .setCommandDigest(ByteString.copyFrom(CommandSignature.digest(c)));
      List<CommandAck> forgeries = new ArrayList<>();
      forgeries.add(done.build());
      forgeries.add(AckSignature.sign(done.clone(), wrongKey));
      forgeries.add(AckSignature.sign(done.clone().setDistrict("XX'); DROP TABLE --"), wrongKey));
      // Claims another device on this device's ack topic: audited under the topic's device.
      forgeries.add(AckSignature.sign(done.clone().setDeviceId(CLAIMED_DEVICE), wrongKey));
      String ackTopic = Topics.ack("DP", c.getDeviceId());
      try {
        for (CommandAck ack : forgeries) {
          mqtt.publish(
              ackTopic, ack.toByteArray(), 1, false, MqttConnection.PublishCallback.IGNORE);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answered.add(c.getCommandId());
    }

    @Override
    public void close() {
      sender.shutdownNow();
      mqtt.close();
    }
  }

  private interface Parser<T> {
    T parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  private static <T> T parse(Parser<T> parser, byte[] payload) {
    try {
      return parser.parse(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
