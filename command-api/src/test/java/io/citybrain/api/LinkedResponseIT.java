package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import io.citybrain.seeds.District;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Linked responses end to end: the API, the real broker and database, and the simulator's actuators
 * answering.
 */
@ExtendWith(CityServicesExtension.class)
class LinkedResponseIT {
  private static final District DP = ApiFixture.SEEDS.district("DP").orElseThrow();
  private static ApiFixture f;
  private static CommandObserver observer;
  private static List<Command> commands;
  private static List<CommandAck> acks;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, c -> c.maxAttempts(3));
    TestData.incident(
        services.dataSource(), "inc-flood", "DP", "flood_response", DP.lat(), DP.lon());
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
      "a flood plan for an incident reaches every target, completes, and its progress streams in order")
  void floodPlanCompletes() throws Exception {
    try (SimActuators actuators = new SimActuators(f.services, "DP", "50ms", "0");
        LiveClient live = new LiveClient(f.api.url(), f.token("coord-dp"), "DP")) {
      JsonObject trigger =
          new JsonObject().put("request_id", "req-flood-1").put("incident_id", "inc-flood");
      ApiClient.Reply created = f.client.post("/api/v1/responses", f.token("coord-dp"), trigger);
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      JsonObject run = created.json();
      String runId = run.getString("run_id");
      assertThat(run.getString("plan_id")).isEqualTo("flood_response");
      assertThat(run.getInteger("total")).isEqualTo(expectedFloodTargets());
      assertThat(run.getJsonArray("tasks")).hasSize(3);

      JsonObject done = awaitFinished(runId);
      assertThat(done.getString("state")).isEqualTo("completed");
      assertThat(done.getJsonObject("counts").getInteger("done"))
          .isEqualTo(run.getInteger("total"));
      Set<String> targetDevices = new HashSet<>();
      done.getJsonArray("targets")
          .forEach(
              t -> {
                JsonObject target = (JsonObject) t;
                assertThat(target.getInteger("attempts")).isEqualTo(1);
                targetDevices.add(target.getString("device_id"));
              });
      // Every target device got its command on its own topic, with an expiry and the run's id.
      List<Command> ours = commands.stream().filter(c -> c.getPlanRunId().equals(runId)).toList();
      assertThat(ours).hasSize(run.getInteger("total"));
      assertThat(ours.stream().map(Command::getDeviceId).collect(Collectors.toSet()))
          .isEqualTo(targetDevices);
      // Each attempt expires one ack timeout (5 s here) after it is sent, well within the plan's
      // command_ttl_s (300 s): a stale command is refused by the device.
      assertThat(ours)
          .allMatch(
              c ->
                  c.getExpiresAtMs() > c.getIssuedAtMs()
                      && c.getExpiresAtMs() - c.getIssuedAtMs() <= 5_000
                      && c.getAttempt() == 1);

      // Progress over the WebSocket: one sequence without gaps, each target sent -> accepted ->
      // done, then the run.
      live.await(
          fr ->
              "run_progress".equals(fr.getString("type"))
                  && runId.equals(fr.getJsonObject("data").getString("run_id")),
          10_000);
      List<JsonObject> progress =
          live.frames.stream()
              .filter(fr -> fr.getString("type").endsWith("_progress"))
              .map(fr -> fr.getJsonObject("data"))
              .filter(d -> runId.equals(d.getString("run_id")))
              .toList();
      for (int i = 0; i < progress.size(); i++) {
        assertThat(progress.get(i).getLong("seq")).isEqualTo(i + 1L);
      }
      Map<String, List<String>> states = new LinkedHashMap<>();
      progress.stream()
          .filter(p -> p.containsKey("command_id"))
          .forEach(
              p ->
                  states
                      .computeIfAbsent(p.getString("command_id"), k -> new ArrayList<>())
                      .add(p.getString("state")));
      assertThat(states).hasSize(run.getInteger("total"));
      assertThat(states.values())
          .allSatisfy(s -> assertThat(s).containsExactly("sent", "accepted", "done"));
      JsonObject last = progress.get(progress.size() - 1);
      assertThat(last.getString("state")).isEqualTo("completed");

      // The same request id again: the same run, nothing new.
      ApiClient.Reply repeated = f.client.post("/api/v1/responses", f.token("coord-dp"), trigger);
      assertThat(repeated.status()).isEqualTo(200);
      assertThat(repeated.json().getString("run_id")).isEqualTo(runId);
      assertThat(repeated.json().getBoolean("created")).isFalse();
      assertThat(
              TestData.count(
                  f.services.dataSource(),
                  "SELECT count(*) FROM plan_run WHERE request_id = 'req-flood-1'"))
          .isEqualTo(1);
      assertThat(
              TestData.count(
                  f.services.dataSource(),
                  "SELECT count(*) FROM audit_log WHERE request_id = 'req-flood-1' AND outcome = 'repeated'"))
          .isEqualTo(1);
      assertThat(
              TestData.count(
                  f.services.dataSource(),
                  "SELECT count(*) FROM incident WHERE incident_id = 'inc-flood' AND state = 'responding'"))
          .isEqualTo(1);
      assertThat(
              f.client
                  .get("/api/v1/responses/" + runId, f.token("viewer"))
                  .json()
                  .getString("state"))
          .isEqualTo("completed");
    }
    // Commands are never retained: a new subscriber to the command topics gets nothing replayed.
    List<String> replayed = new CopyOnWriteArrayList<>();
    try (MqttConnection late =
        PahoConnection.connect(
            MqttSettings.of(f.services.mqttUrl(), f.services.uniqueId("late"))
                .withLogin(f.services.login(Principal.districtGateway("DP"))))) {
      late.subscribe("city/v1/DP/cmd/+", 1, (topic, payload) -> replayed.add(topic));
      await("no command replayed")
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(replayed::isEmpty);
    }
  }

  @Test
  @DisplayName(
      "a coordinator of another district, or a viewer, is refused with 403 and the attempt is audited")
  void crossDistrictTriggerIsRefused() throws Exception {
    JsonObject body =
        new JsonObject()
            .put("request_id", "req-cross")
            .put("plan_id", "district_coordination")
            .put("district", "DP");
    ApiClient.Reply refused = f.client.post("/api/v1/responses", f.token("coord-ns"), body);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().getString("reason"))
        .isEqualTo("caller 'coord-ns' may act in NS only, not in DP");
    assertThat(
            f.client
                .post(
                    "/api/v1/responses",
                    f.token("viewer"),
                    body.copy().put("request_id", "req-viewer"))
                .status())
        .isEqualTo(403);
    assertThat(
            TestData.count(
                f.services.dataSource(),
                """
        SELECT count(*) FROM audit_log WHERE actor = 'coord-ns' AND action = 'trigger_response' AND district = 'DP'
          AND request_id = 'req-cross' AND outcome = 'denied'"""))
        .isEqualTo(1);
    assertThat(
            TestData.count(
                f.services.dataSource(),
                """
        SELECT count(*) FROM audit_log WHERE actor = 'viewer' AND request_id = 'req-viewer' AND outcome = 'denied'"""))
        .isEqualTo(1);
    assertThat(
            TestData.count(
                f.services.dataSource(),
                "SELECT count(*) FROM plan_run WHERE request_id IN ('req-cross', 'req-viewer')"))
        .isZero();
  }

  @Test
  @DisplayName(
      "with 20% actuator failures, a FAILED ends its target at once: one attempt each, one execution each")
  void failuresAreFinal() throws Exception {
    String runId;
    JsonObject finished;
    Map<String, Long> executions = new HashMap<>();
    try (SimActuators actuators = new SimActuators(f.services, "DP", "50ms", "0.2")) {
      runId = trigger("req-flood-failures");
      finished = awaitFinished(runId);
      for (Object t : finished.getJsonArray("targets")) {
        String device = ((JsonObject) t).getString("device_id");
        executions.put(device, actuators.executions(device));
      }
    }
    Map<String, List<CommandAck>> byTarget = acksByCommand(runId);
    boolean allDone = true;
    for (Object t : finished.getJsonArray("targets")) {
      JsonObject target = (JsonObject) t;
      List<CommandAck> answers = byTarget.get(target.getString("command_id"));
      assertThat(answers).as("acks of %s", target.getString("command_id")).isNotNull();
      CommandAck outcome =
          answers.stream()
              .filter(a -> a.getStatus() != AckStatus.ACK_STATUS_ACCEPTED)
              .findFirst()
              .orElseThrow();
      String expected = outcome.getStatus() == AckStatus.ACK_STATUS_DONE ? "done" : "failed";
      allDone &= expected.equals("done");
      assertThat(target.getString("state")).as(target.encode()).isEqualTo(expected);
      // A device that reported FAILED ran the action: a retry would actuate it twice.
      assertThat(target.getInteger("attempts")).as(target.encode()).isEqualTo(1);
      assertThat(answers).allMatch(a -> a.getAttempt() == 1);
      assertThat(executions.get(target.getString("device_id"))).isEqualTo(1L);
    }
    assertThat(finished.getString("state")).isEqualTo(allDone ? "completed" : "partially_failed");
    assertThat(
            TestData.count(
                f.services.dataSource(),
                """
        SELECT count(*) FROM command_event e JOIN command c USING (command_id)
        WHERE c.run_id = ? AND e.state = 'failed'""",
                runId))
        .isEqualTo(
            acks.stream()
                .filter(
                    a ->
                        a.getPlanRunId().equals(runId)
                            && a.getStatus() == AckStatus.ACK_STATUS_FAILED)
                .count());
  }

  @Test
  @DisplayName(
      "a device slower than the ack timeout gets attempt 2 under the same command id, executes once, and its first attempt's DONE ends the target done")
  void slowDevicesAreRetriedUnderOneId() throws Exception {
    String runId;
    JsonObject finished;
    Map<String, Long> executions = new HashMap<>();
    // DONE 4-12 s after a command, against a 5 s ack timeout: some targets need attempt 2 or 3.
    try (SimActuators actuators = new SimActuators(f.services, "DP", "8s", "0")) {
      runId = trigger("req-flood-slow");
      finished = awaitFinished(runId);
      for (Object t : finished.getJsonArray("targets")) {
        String device = ((JsonObject) t).getString("device_id");
        executions.put(device, actuators.executions(device));
      }
    }
    assertThat(finished.getString("state")).as(finished.encode()).isEqualTo("completed");
    List<Command> sent = commands.stream().filter(c -> c.getPlanRunId().equals(runId)).toList();
    int retried = 0;
    for (Object t : finished.getJsonArray("targets")) {
      JsonObject target = (JsonObject) t;
      String commandId = target.getString("command_id");
      List<Command> attempts =
          sent.stream().filter(c -> c.getCommandId().equals(commandId)).toList();
      assertThat(attempts.stream().map(Command::getAttempt).toList())
          .as("attempts of %s", commandId)
          .isEqualTo(
              java.util.stream.IntStream.rangeClosed(1, target.getInteger("attempts"))
                  .boxed()
                  .toList());
      // Each attempt lives about one ack timeout, not the plan's 300 s.
      assertThat(attempts).allMatch(c -> c.getExpiresAtMs() - c.getIssuedAtMs() <= 5_000);
      assertThat(executions.get(target.getString("device_id"))).as(commandId).isEqualTo(1L);
      if (attempts.size() > 1) {
        retried++;
      }
    }
    assertThat(retried).as("targets retried").isPositive();
  }

  private static String trigger(String requestId) throws Exception {
    ApiClient.Reply created =
        f.client.post(
            "/api/v1/responses",
            f.token("coord-dp"),
            new JsonObject()
                .put("request_id", requestId)
                .put("plan_id", "flood_response")
                .put("district", "DP")
                .put("lat", DP.lat())
                .put("lon", DP.lon()));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    return created.json().getString("run_id");
  }

  private static Map<String, List<CommandAck>> acksByCommand(String runId) {
    Map<String, List<CommandAck>> byTarget = new HashMap<>();
    for (CommandAck ack : acks) {
      if (ack.getPlanRunId().equals(runId)) {
        byTarget.computeIfAbsent(ack.getCommandId(), k -> new ArrayList<>()).add(ack);
      }
    }
    return byTarget;
  }

  @Test
  @DisplayName(
      "cancelling a run sends cancel commands to targets not yet done, cancelled as the devices answer; a second cancel is 409")
  void cancel() throws Exception {
    // DONE comes 10-30 s after a command (latency scaled 0.5-1.5): the cancel lands first even on a
    // slow machine.
    try (SimActuators actuators = new SimActuators(f.services, "DP", "20s", "0")) {
      ApiClient.Reply created =
          f.client.post(
              "/api/v1/responses",
              f.token("coord-dp"),
              new JsonObject()
                  .put("request_id", "req-cancel")
                  .put("plan_id", "district_coordination")
                  .put("district", "DP"));
      String runId = created.json().getString("run_id");
      int total = created.json().getInteger("total");
      await("every target accepted")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> run(runId).getJsonObject("counts").getInteger("accepted") == total);
      ApiClient.Reply cancelled =
          f.client.post(
              "/api/v1/responses/" + runId + "/cancel",
              f.token("coord-dp"),
              new JsonObject().put("request_id", "req-cancel-1"));
      assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
      // Cancelling until the devices answer; each stopped its command, so every target ends
      // cancelled.
      assertThat(cancelled.json().getString("state")).isIn("cancelling", "cancelled");
      JsonObject after =
          await("every cancel command done")
              .atMost(Duration.ofSeconds(10))
              .pollInterval(Duration.ofMillis(50))
              .until(
                  () -> run(runId),
                  r ->
                      "cancelled".equals(r.getString("state"))
                          && r.getJsonArray("cancel_commands").stream()
                              .allMatch(c -> "done".equals(((JsonObject) c).getString("state"))));
      assertThat(after.getJsonObject("counts").getInteger("cancelled")).isEqualTo(total);
      assertThat(after.getJsonArray("cancel_commands"))
          .hasSize(total)
          .allSatisfy(c -> assertThat(((JsonObject) c).getString("state")).isEqualTo("done"));
      ApiClient.Reply again =
          f.client.post("/api/v1/responses/" + runId + "/cancel", f.token("coord-dp"), null);
      assertThat(again.status()).isEqualTo(409);
      assertThat(
              TestData.count(
                  f.services.dataSource(),
                  "SELECT count(*) FROM audit_log WHERE action = 'cancel_response' AND outcome = 'allowed'"))
          .isEqualTo(1);
    }
  }

  private static int expectedFloodTargets() throws Exception {
    // Independently of PlanTargets: pumps and signs everywhere in DP, barriers and loudspeakers
    // within 3 km.
    return (int)
        TestData.count(
            f.services.dataSource(),
            """
        SELECT count(*) FROM device WHERE district = 'DP' AND (kind IN ('pump', 'message_sign')
          OR (kind IN ('barrier', 'loudspeaker') AND 2 * 6371008.8 * asin(sqrt(power(sin(radians(lat - ?) / 2), 2)
             + cos(radians(?)) * cos(radians(lat)) * power(sin(radians(lon - ?) / 2), 2))) <= 3000))""",
            DP.lat(),
            DP.lat(),
            DP.lon());
  }

  private static JsonObject awaitFinished(String runId) {
    return await("run " + runId + " finished")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> run(runId), r -> !"running".equals(r.getString("state")));
  }

  private static JsonObject run(String runId) throws Exception {
    return f.client.get("/api/v1/responses/" + runId, f.token("viewer")).json();
  }
}
