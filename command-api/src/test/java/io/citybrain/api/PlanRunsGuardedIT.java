package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.api.http.Role;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Plans that cannot fight each other (#15): a cancel lasts until the devices answer and ends each
 * target as its device did (real broker, database and simulated actuators), a leader resumes a run
 * left cancelling, overlapping runs are refused or queued (two at once: one wins), and a plan that
 * needs a second coordinator waits for one.
 */
@ExtendWith(CityServicesExtension.class)
class PlanRunsGuardedIT {
  private static TestServices services;
  private static ApiFixture f;
  private static CommandObserver dp;

  @BeforeAll
  static void start(TestServices s) throws Exception {
    services = s;
    f = startApi();
    dp = new CommandObserver(services, "DP");
  }

  private static ApiFixture startApi() throws Exception {
    ApiFixture fixture = ApiFixture.start(services, c -> c.maxAttempts(3));
    fixture.user("coord-dp2", Role.COORDINATOR, Set.of("DP", "FT"));
    fixture.user("coord-ft", Role.COORDINATOR, Set.of("FT"));
    fixture.user("coord-lh1", Role.COORDINATOR, Set.of("LH"));
    fixture.user("coord-lh2", Role.COORDINATOR, Set.of("LH"));
    return fixture;
  }

  @AfterAll
  static void stop() {
    if (dp != null) {
      dp.close();
    }
    if (f != null) {
      f.close();
    }
  }

  private static ApiClient.Reply trigger(String user, JsonObject body) throws Exception {
    return f.client.post("/api/v1/responses", f.token(user), body);
  }

  private static JsonObject run(String runId) throws Exception {
    return f.client.get("/api/v1/responses/" + runId, f.token("admin")).json();
  }

  private static List<JsonObject> targets(JsonObject run) {
    return run.getJsonArray("targets").stream().map(o -> (JsonObject) o).toList();
  }

  @Test
  @DisplayName(
      "a cancel makes the run cancelling; each target ends as its device did: executed before -> done, stopped -> cancelled")
  void cancellingEndsAsTheDevicesDid() throws Exception {
    // DONE 2-6 s after a command: cancelled once the first is done, some are done, some running.
    try (SimActuators actuators = new SimActuators(services, "DP", "4s", "0")) {
      ApiClient.Reply created =
          trigger(
              "coord-dp",
              new JsonObject()
                  .put("request_id", "g-cancel")
                  .put("plan_id", "district_coordination")
                  .put("district", "DP"));
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      String runId = created.json().getString("run_id");
      int total = created.json().getInteger("total");
      assertThat(total).isGreaterThan(2);
      await("a first target done")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> run(runId).getJsonObject("counts").getInteger("done") >= 1);
      ApiClient.Reply cancelled =
          f.client.post(
              "/api/v1/responses/" + runId + "/cancel",
              f.token("coord-dp"),
              new JsonObject().put("request_id", "g-cancel-1"));
      assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
      assertThat(cancelled.json().getString("state")).isIn("cancelling", "cancelled");
      JsonObject after =
          await("the run ends")
              .atMost(Duration.ofSeconds(20))
              .pollInterval(Duration.ofMillis(50))
              .until(() -> run(runId), r -> "cancelled".equals(r.getString("state")));
      // What each device did, as it said on the wire.
      Set<String> executed =
          dp.acks.stream()
              .filter(a -> a.getPlanRunId().equals(runId))
              .filter(a -> a.getStatus() == AckStatus.ACK_STATUS_DONE)
              .filter(a -> !a.getCommandId().endsWith("~cancel"))
              .map(a -> a.getCommandId())
              .collect(Collectors.toSet());
      Set<String> refusedAsDone =
          dp.acks.stream()
              .filter(a -> a.getPlanRunId().equals(runId))
              .filter(a -> a.getDetail().startsWith("already done"))
              .map(a -> a.getCommandId().replace("~cancel", ""))
              .collect(Collectors.toSet());
      for (JsonObject t : targets(after)) {
        boolean did =
            executed.contains(t.getString("command_id"))
                || refusedAsDone.contains(t.getString("command_id"));
        assertThat(t.getString("state"))
            .as("%s (%s)", t.getString("command_id"), t.getString("detail"))
            .isEqualTo(did ? "done" : "cancelled");
      }
      JsonObject counts = after.getJsonObject("counts");
      assertThat(counts.getInteger("done")).isGreaterThanOrEqualTo(1);
      assertThat(counts.getInteger("cancelled")).isGreaterThanOrEqualTo(1);
      assertThat(counts.getInteger("done") + counts.getInteger("cancelled")).isEqualTo(total);
      assertThat(counts.getInteger("cancelling")).isZero();
      // The cancelling step is stored: every cancelled target went through it.
      assertThat(
              TestData.count(
                  services.dataSource(),
                  "SELECT count(DISTINCT e.command_id) FROM command_event e JOIN command c USING (command_id)"
                      + " WHERE c.run_id = ? AND e.state = 'cancelling'",
                  runId))
          .isGreaterThanOrEqualTo(counts.getInteger("cancelled"));
      assertThat(after.getJsonObject("task_counts").getInteger("cancelled")).isEqualTo(2);
    }
  }

  @Test
  @DisplayName(
      "a run left cancelling by a killed API is finished by the next leader: a device that had executed answers done, an unanswered cancel ends cancelled")
  void cancellingResumedAfterKill() throws Exception {
    Path state = Files.createTempDirectory("actuator-state");
    String runId;
    List<JsonObject> done;
    try (SimActuators actuators = SimActuators.remembering(services, "YT", "50ms", state)) {
      ApiClient.Reply created =
          trigger(
              "admin",
              new JsonObject()
                  .put("request_id", "g-resume")
                  .put("plan_id", "district_coordination")
                  .put("district", "YT"));
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      runId = created.json().getString("run_id");
      done =
          targets(
              await("every target done")
                  .atMost(Duration.ofSeconds(20))
                  .until(() -> run(runId), r -> "completed".equals(r.getString("state"))));
      assertThat(done).hasSizeGreaterThanOrEqualTo(3);
      f.close();
      f = null;
      // As a dead API leaves a cancel half done: the run and its first target cancelling (its
      // cancel command never stored), the second not moved yet, the third's cancel sent and
      // never answered.
      String first = done.get(0).getString("command_id");
      String second = done.get(1).getString("command_id");
      String third = done.get(2).getString("command_id");
      TestData.exec(
          services.dataSource(),
          "UPDATE plan_run SET state = 'cancelling', finished_at = NULL WHERE run_id = ?",
          runId);
      TestData.exec(
          services.dataSource(),
          "UPDATE command SET state = 'cancelling', final = false WHERE command_id IN (?, ?)",
          first,
          third);
      TestData.exec(
          services.dataSource(),
          "UPDATE command SET state = 'accepted', final = false WHERE command_id = ?",
          second);
      TestData.exec(
          services.dataSource(),
          """
          INSERT INTO command (command_id, run_id, device_id, district, action, params, state, attempts, issued_at,
                               expires_at)
          SELECT command_id || '~cancel', run_id, device_id, district, 'cancel',
                 jsonb_build_object('cancels_command_id', command_id), 'sent', 1, now(), now() + interval '1 minute'
          FROM command WHERE command_id = ?""",
          third);
      TestData.exec(
          services.dataSource(),
          "INSERT INTO command_attempt (command_id, attempt, digest, sent_at, expires_at)"
              + " VALUES (? || '~cancel', 1, '\\x00'::bytea, now(), now() + interval '1 minute')",
          third);
      f = startApi();
      JsonObject after =
          await("the resumed leader finishes the cancel")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(100))
              .until(() -> run(runId), r -> "cancelled".equals(r.getString("state")));
      JsonObject byId = new JsonObject();
      targets(after).forEach(t -> byId.put(t.getString("command_id"), t));
      assertThat(byId.getJsonObject(first).getString("state")).isEqualTo("done");
      assertThat(byId.getJsonObject(first).getString("detail")).contains("already done");
      assertThat(byId.getJsonObject(second).getString("state")).isEqualTo("done");
      assertThat(byId.getJsonObject(third).getString("state")).isEqualTo("cancelled");
      assertThat(byId.getJsonObject(third).getString("detail")).contains("no answer to the cancel");
      // Asked, never run again.
      assertThat(actuators.executions(byId.getJsonObject(first).getString("device_id")))
          .isEqualTo(1);
    }
  }

  @Test
  @DisplayName(
      "a run overlapping a running run is 409 with its id and the devices; queue:true waits queued and starts once it ends")
  void overlapRefusedOrQueued() throws Exception {
    try (SimActuators actuators = new SimActuators(services, "NS", "20s", "0")) {
      ApiClient.Reply first =
          trigger(
              "coord-ns",
              new JsonObject()
                  .put("request_id", "g-flood")
                  .put("plan_id", "flood_response")
                  .put("district", "NS"));
      assertThat(first.status()).as(first.text()).isEqualTo(201);
      String firstId = first.json().getString("run_id");
      JsonObject second =
          new JsonObject()
              .put("request_id", "g-coord")
              .put("plan_id", "district_coordination")
              .put("district", "NS");
      ApiClient.Reply refused = trigger("coord-ns", second);
      assertThat(refused.status()).as(refused.text()).isEqualTo(409);
      assertThat(refused.json().getString("error")).isEqualTo("overlapping_run");
      assertThat(refused.json().getString("running_run_id")).isEqualTo(firstId);
      JsonArray devices = refused.json().getJsonArray("device_ids");
      assertThat(devices).isNotEmpty();
      assertThat(devices.stream().map(String::valueOf)).allMatch(d -> d.startsWith("NS-"));
      Set<String> signs =
          targets(run(firstId)).stream()
              .filter(t -> t.getString("action").equals("display"))
              .map(t -> t.getString("device_id"))
              .collect(Collectors.toSet());
      assertThat(devices.stream().map(String::valueOf).collect(Collectors.toSet()))
          .isEqualTo(signs);
      assertThat(
              TestData.count(
                  services.dataSource(),
                  "SELECT count(*) FROM audit_log WHERE action = 'trigger_response' AND outcome = 'conflict'"
                      + " AND request_id = 'g-coord'"))
          .isEqualTo(1);

      ApiClient.Reply queued = trigger("coord-ns", second.copy().put("queue", true));
      assertThat(queued.status()).as(queued.text()).isEqualTo(201);
      assertThat(queued.json().getString("state")).isEqualTo("queued");
      String queuedId = queued.json().getString("run_id");
      assertThat(queued.json().getString("started_at")).isNull();
      assertThat(
              dp.commands.stream().noneMatch(c -> c.getPlanRunId().equals(queuedId))
                  && TestData.count(
                          services.dataSource(),
                          "SELECT count(*) FROM command_attempt a JOIN command c USING (command_id) WHERE c.run_id = ?",
                          queuedId)
                      == 0)
          .as("nothing sent for a queued run")
          .isTrue();

      assertThat(
              f.client
                  .post(
                      "/api/v1/responses/" + firstId + "/cancel",
                      f.token("coord-ns"),
                      new JsonObject())
                  .status())
          .isEqualTo(200);
      JsonObject started =
          await("the queued run starts once the first has ended")
              .atMost(Duration.ofSeconds(20))
              .pollInterval(Duration.ofMillis(50))
              .until(
                  () -> run(queuedId),
                  r -> r.getJsonObject("counts").getInteger("accepted") == r.getInteger("total"));
      assertThat(run(firstId).getString("state")).isEqualTo("cancelled");
      assertThat(started.getString("state")).isEqualTo("running");
      assertThat(started.getString("started_at")).isNotNull();
      // Cleaned up for the other tests.
      f.client.post("/api/v1/responses/" + queuedId + "/cancel", f.token("coord-ns"), null);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> "cancelled".equals(run(queuedId).getString("state")));
    }
  }

  @Test
  @DisplayName("two overlapping triggers at once: exactly one starts, the other is 409")
  void concurrentTriggersOneWins() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<ApiClient.Reply>> replies =
        List.of("coord-lh1", "coord-lh2").stream()
            .map(
                user ->
                    CompletableFuture.supplyAsync(
                        () -> {
                          try {
                            go.await();
                            return trigger(
                                user,
                                new JsonObject()
                                    .put("request_id", "g-race")
                                    .put("plan_id", "district_coordination")
                                    .put("district", "LH"));
                          } catch (Exception e) {
                            throw new IllegalStateException(e);
                          }
                        }))
            .toList();
    go.countDown();
    List<ApiClient.Reply> done = replies.stream().map(CompletableFuture::join).toList();
    assertThat(done.stream().map(ApiClient.Reply::status).sorted().toList())
        .as("%s", done.stream().map(ApiClient.Reply::text).toList())
        .containsExactly(201, 409);
    ApiClient.Reply won = done.stream().filter(r -> r.status() == 201).findFirst().orElseThrow();
    ApiClient.Reply lost = done.stream().filter(r -> r.status() == 409).findFirst().orElseThrow();
    assertThat(lost.json().getString("running_run_id")).isEqualTo(won.json().getString("run_id"));
    assertThat(
            TestData.count(
                services.dataSource(),
                "SELECT count(*) FROM plan_run WHERE district = 'LH' AND state <> 'cancelled'"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName(
      "a plan needing a second coordinator waits unsent; the requester may not approve; a reject ends it rejected; another coordinator's approval starts it")
  void secondCoordinatorApproval() throws Exception {
    JsonObject alarm =
        new JsonObject()
            .put("request_id", "g-alarm-1")
            .put("plan_id", "district_alarm")
            .put("district", "FT");
    ApiClient.Reply waiting = trigger("coord-ft", alarm);
    assertThat(waiting.status()).as(waiting.text()).isEqualTo(201);
    assertThat(waiting.json().getString("state")).isEqualTo("awaiting_approval");
    String runId = waiting.json().getString("run_id");
    assertThat(waiting.json().getJsonObject("counts").getInteger("pending"))
        .isEqualTo(waiting.json().getInteger("total"))
        .isPositive();
    assertThat(waiting.json().getJsonArray("tasks")).isEmpty();
    String approval = "/api/v1/responses/" + runId + "/approval";

    ApiClient.Reply own =
        f.client.post(approval, f.token("coord-ft"), new JsonObject().put("approve", true));
    assertThat(own.status()).as(own.text()).isEqualTo(403);
    assertThat(own.json().getString("reason")).contains("second coordinator");
    assertThat(
            f.client
                .post(approval, f.token("coord-ns"), new JsonObject().put("approve", true))
                .status())
        .isEqualTo(403);
    assertThat(
            f.client
                .post(approval, f.token("viewer"), new JsonObject().put("approve", true))
                .status())
        .isEqualTo(403);
    ApiClient.Reply noReason =
        f.client.post(approval, f.token("coord-dp2"), new JsonObject().put("approve", false));
    assertThat(noReason.status()).as(noReason.text()).isEqualTo(400);

    ApiClient.Reply rejected =
        f.client.post(
            approval,
            f.token("coord-dp2"),
            new JsonObject().put("approve", false).put("reason", "drill, not an emergency"));
    assertThat(rejected.status()).as(rejected.text()).isEqualTo(200);
    assertThat(rejected.json().getString("state")).isEqualTo("rejected");
    assertThat(rejected.json().getString("decided_by")).isEqualTo("coord-dp2");
    assertThat(rejected.json().getString("decision_reason")).isEqualTo("drill, not an emergency");
    assertThat(rejected.json().getJsonObject("counts").getInteger("cancelled"))
        .isEqualTo(rejected.json().getInteger("total"));
    assertThat(
            f.client
                .post(approval, f.token("coord-dp2"), new JsonObject().put("approve", true))
                .status())
        .isEqualTo(409);

    ApiClient.Reply again = trigger("coord-ft", alarm.copy().put("request_id", "g-alarm-2"));
    assertThat(again.status()).as(again.text()).isEqualTo(201);
    String secondId = again.json().getString("run_id");
    ApiClient.Reply approved =
        f.client.post(
            "/api/v1/responses/" + secondId + "/approval",
            f.token("coord-dp2"),
            new JsonObject().put("approve", true).put("request_id", "g-approve"));
    assertThat(approved.status()).as(approved.text()).isEqualTo(200);
    assertThat(approved.json().getString("state")).isEqualTo("running");
    assertThat(approved.json().getJsonObject("task_counts").getInteger("open")).isEqualTo(1);
    await("the leader sends the approved run")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> run(secondId).getJsonObject("counts").getInteger("pending") == 0);
    assertThat(
            TestData.count(
                services.dataSource(),
                "SELECT count(*) FROM audit_log WHERE action = 'reject_response' AND outcome = 'allowed' AND target = ?",
                runId))
        .isEqualTo(1);
    assertThat(
            TestData.count(
                services.dataSource(),
                "SELECT count(*) FROM audit_log WHERE action = 'approve_response' AND outcome = 'allowed'"
                    + " AND target = ? AND actor = 'coord-dp2'",
                secondId))
        .isEqualTo(1);
    assertThat(
            TestData.count(
                services.dataSource(),
                "SELECT count(*) FROM audit_log WHERE action = 'decide_response' AND outcome = 'denied'"
                    + " AND target = ?",
                runId))
        .isGreaterThanOrEqualTo(2);
  }
}
