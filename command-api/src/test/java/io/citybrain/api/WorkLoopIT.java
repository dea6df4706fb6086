package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.seeds.District;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operations loop on the real broker and database: people acknowledge, assign and resolve
 * alerts, carry incidents from open to closed around a plan run, and move the run's department
 * tasks to done; every move is checked, recorded in the item's history, audited and pushed live.
 */
@ExtendWith(CityServicesExtension.class)
class WorkLoopIT {
  private static final District DP = ApiFixture.SEEDS.district("DP").orElseThrow();
  private static ApiFixture f;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, c -> {});
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  @DisplayName(
      "an alert is acknowledged, assigned and resolved by people; wrong moves are 400, 403 or 409")
  void alertLifecycle() throws Exception {
    TestData.alert(f.services.dataSource(), "w-a1", "DP", "high", "raised", Instant.now());
    try (LiveClient live = new LiveClient(f.api.url(), f.token("coord-dp"), "DP")) {
      JsonObject fresh = get("/api/v1/alerts/w-a1", "viewer");
      assertThat(fresh.getString("handling")).isEqualTo("new");
      assertThat(fresh.getJsonArray("allowed_transitions"))
          .containsExactly("acknowledged", "resolved");

      assertThat(move("alerts/w-a1", "viewer", "acknowledged").status()).isEqualTo(403);
      assertThat(move("alerts/w-a1", "coord-ns", "acknowledged").status()).isEqualTo(403);
      assertThat(move("alerts/w-a1", "operator", "flying").status()).isEqualTo(400);
      assertThat(move("alerts/none", "operator", "acknowledged").status()).isEqualTo(404);

      ApiClient.Reply acked =
          f.client.post(
              "/api/v1/alerts/w-a1/transitions",
              f.token("operator"),
              new JsonObject().put("to", "acknowledged").put("note", "crew on the way"));
      assertThat(acked.status()).as(acked.text()).isEqualTo(200);
      assertThat(acked.json().getString("handling")).isEqualTo("acknowledged");
      assertThat(acked.json().getString("acknowledged_by")).isEqualTo("operator");
      assertThat(acked.json().getString("acknowledged_at")).isNotNull();

      ApiClient.Reply twice = move("alerts/w-a1", "operator", "acknowledged");
      assertThat(twice.status()).isEqualTo(409);
      assertThat(twice.json().getString("state")).isEqualTo("acknowledged");
      assertThat(twice.json().getJsonArray("allowed")).containsExactly("resolved");

      assertThat(assign("w-a1", "user:coord-ns").status()).isEqualTo(400);
      assertThat(assign("w-a1", "department:nobody").status()).isEqualTo(400);
      ApiClient.Reply assigned = assign("w-a1", "user:coord-dp");
      assertThat(assigned.status()).as(assigned.text()).isEqualTo(200);
      assertThat(assigned.json().getString("assignee")).isEqualTo("user:coord-dp");
      assertThat(
              f.client
                  .get("/api/v1/alerts?district=DP&handling=acknowledged", f.token("viewer"))
                  .items())
          .extracting(a -> ((JsonObject) a).getString("alert_id"))
          .contains("w-a1");

      ApiClient.Reply resolved = move("alerts/w-a1", "coord-dp", "resolved");
      assertThat(resolved.status()).as(resolved.text()).isEqualTo(200);
      assertThat(resolved.json().getString("resolved_by")).isEqualTo("coord-dp");
      // The job's state is its own: the alert is still raised until its metric clears.
      assertThat(resolved.json().getString("state")).isEqualTo("raised");
      assertThat(resolved.json().getJsonArray("allowed_transitions")).isEmpty();
      assertThat(assign("w-a1", "department:water_affairs").status()).isEqualTo(409);

      assertThat(steps(resolved.json()))
          .containsExactly(
              "transition new->acknowledged by operator: crew on the way",
              "assign acknowledged->acknowledged by operator: to user:coord-dp",
              "transition acknowledged->resolved by coord-dp: null");
      JsonObject frame =
          live.await(
              fr ->
                  "work".equals(fr.getString("type"))
                      && "resolved"
                          .equals(
                              fr.getJsonObject("data").getJsonObject("item").getString("handling")),
              10_000);
      assertThat(frame.getJsonObject("data").getString("kind")).isEqualTo("alert");
      assertThat(live.ofType("work")).hasSize(3);
    }
    assertThat(audits("transition_alert", "allowed", "w-a1")).isEqualTo(2);
    assertThat(audits("assign_alert", "allowed", "w-a1")).isEqualTo(1);
    assertThat(audits("transition_alert", "conflict", "w-a1")).isEqualTo(1);
    assertThat(audits("assign_alert", "conflict", "w-a1")).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "an incident goes open -> acknowledged -> responding (its plan) -> resolved -> closed while its tasks are done")
  void incidentAndTasks() throws Exception {
    TestData.incident(f.services.dataSource(), "w-inc", "DP", "flood_response", DP.lat(), DP.lon());
    assertThat(move("incidents/w-inc", "operator", "acknowledged").status()).isEqualTo(200);
    String runId;
    try (SimActuators actuators = new SimActuators(f.services, "DP", "50ms", "0")) {
      ApiClient.Reply created =
          f.client.post(
              "/api/v1/responses",
              f.token("coord-dp"),
              new JsonObject().put("request_id", "w-req-1").put("incident_id", "w-inc"));
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      runId = created.json().getString("run_id");
      JsonObject responding = get("/api/v1/incidents/w-inc", "viewer");
      assertThat(responding.getString("state")).isEqualTo("responding");

      List<String> tasks =
          created.json().getJsonArray("tasks").stream()
              .map(t -> ((JsonObject) t).getString("task_id"))
              .toList();
      assertThat(tasks).hasSize(3);
      for (String to : List.of("accepted", "in_progress", "done")) {
        assertThat(move("tasks/" + tasks.get(0), "operator", to).status()).isEqualTo(200);
      }
      for (String to : List.of("accepted", "in_progress", "failed")) {
        assertThat(move("tasks/" + tasks.get(1), "operator", to).status()).isEqualTo(200);
      }
      ApiClient.Reply skipped = move("tasks/" + tasks.get(2), "operator", "done");
      assertThat(skipped.status()).isEqualTo(409);
      assertThat(skipped.json().getString("state")).isEqualTo("assigned");
      assertThat(skipped.json().getJsonArray("allowed")).containsExactly("accepted");
      assertThat(move("tasks/" + tasks.get(2), "coord-ns", "accepted").status()).isEqualTo(403);

      JsonObject done = get("/api/v1/tasks/" + tasks.get(0), "viewer");
      assertThat(done.getString("state")).isEqualTo("done");
      assertThat(done.getString("run_id")).isEqualTo(runId);
      assertThat(done.getString("district")).isEqualTo("DP");
      assertThat(steps(done))
          .containsExactly(
              "transition assigned->accepted by operator: null",
              "transition accepted->in_progress by operator: null",
              "transition in_progress->done by operator: null");
      assertThat(
              f
                  .client
                  .get("/api/v1/responses/" + runId, f.token("viewer"))
                  .json()
                  .getJsonArray("tasks")
                  .stream()
                  .map(t -> ((JsonObject) t).getString("state")))
          .containsExactly("done", "failed", "assigned");

      await("the run finished")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  f.client
                      .get("/api/v1/responses/" + runId, f.token("viewer"))
                      .json()
                      .getString("state"),
              s -> !"running".equals(s));
    }
    JsonObject proposed = get("/api/v1/incidents/w-inc", "viewer");
    assertThat(proposed.getBoolean("resolve_proposed")).isTrue();
    assertThat(move("incidents/w-inc", "operator", "closed").status()).isEqualTo(403);
    ApiClient.Reply resolved = move("incidents/w-inc", "operator", "resolved");
    assertThat(resolved.status()).as(resolved.text()).isEqualTo(200);
    assertThat(resolved.json().getString("resolved_by")).isEqualTo("operator");
    assertThat(resolved.json().getBoolean("resolve_proposed")).isFalse();
    assertThat(resolved.json().getJsonArray("allowed_transitions"))
        .containsExactly("closed", "acknowledged");
    ApiClient.Reply closed = move("incidents/w-inc", "coord-dp", "closed");
    assertThat(closed.status()).as(closed.text()).isEqualTo(200);
    assertThat(closed.json().getString("closed_by")).isEqualTo("coord-dp");
    assertThat(closed.json().getString("closed_at")).isNotNull();
    assertThat(closed.json().getJsonArray("allowed_transitions")).isEmpty();
    assertThat(steps(closed.json()))
        .containsExactly(
            "transition open->acknowledged by operator: null",
            "transition acknowledged->responding by coord-dp: plan flood_response triggered: run "
                + runId,
            "transition responding->resolved by operator: null",
            "transition resolved->closed by coord-dp: null");
    ApiClient.Reply again = move("incidents/w-inc", "coord-dp", "closed");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("state")).isEqualTo("closed");
    ApiClient.Reply commented =
        f.client.post(
            "/api/v1/incidents/w-inc/comments",
            f.token("operator"),
            new JsonObject().put("text", "pumps back to standby"));
    assertThat(commented.status()).as(commented.text()).isEqualTo(200);
    assertThat(steps(commented.json()).get(4))
        .isEqualTo("comment closed->closed by operator: pumps back to standby");
    assertThat(
            f.client
                .post(
                    "/api/v1/incidents/w-inc/comments",
                    f.token("viewer"),
                    new JsonObject().put("text", "x"))
                .status())
        .isEqualTo(403);

    // The timeline: everything about the incident in one ordered list.
    JsonObject timeline = get("/api/v1/incidents/w-inc/timeline", "viewer");
    List<JsonObject> entries =
        timeline.getJsonArray("items").stream().map(e -> (JsonObject) e).toList();
    assertThat(
            entries.stream()
                .map(e -> e.getString("type"))
                .filter(t -> !t.equals("command") && !t.equals("task")))
        .containsExactly(
            "detected",
            "state",
            "state",
            "run_started",
            "task_assigned",
            "task_assigned",
            "task_assigned",
            "run_finished",
            "state",
            "state",
            "comment");
    assertThat(entries.stream().filter(e -> e.getString("type").equals("task"))).hasSize(6);
    assertThat(entries.stream().filter(e -> e.getString("type").equals("command")))
        .hasSize(
            (int)
                TestData.count(
                    f.services.dataSource(),
                    "SELECT count(*) FROM command_event e JOIN command c USING (command_id) WHERE c.run_id = ?",
                    runId));
    for (int i = 1; i < entries.size(); i++) {
      assertThat(Instant.parse(entries.get(i).getString("at")))
          .isAfterOrEqualTo(Instant.parse(entries.get(i - 1).getString("at")));
    }
    assertThat(entries.get(entries.size() - 1).getString("detail"))
        .isEqualTo("pumps back to standby");
    assertThat(f.client.get("/api/v1/incidents/w-inc/timeline", f.token("coord-ns")).status())
        .isEqualTo(403);
    assertThat(audits("comment_incident", "allowed", "w-inc")).isEqualTo(1);
    assertThat(audits("transition_incident", "allowed", "w-inc")).isEqualTo(3);
    assertThat(audits("transition_task", "allowed", runId + "-t")).isEqualTo(6);
    assertThat(audits("transition_incident", "denied", "w-inc")).isEqualTo(1);
    // The open count of the summary leaves resolved and closed incidents out.
    assertThat(
            f
                .client
                .get("/api/v1/summary", f.token("viewer"))
                .json()
                .getJsonArray("open_incidents")
                .stream()
                .map(i -> ((JsonObject) i).getString("incident_id")))
        .doesNotContain("w-inc");
  }

  @Test
  @DisplayName("cancelling a run cancels its open tasks; finished ones keep their state")
  void cancelledRunCancelsTasks() throws Exception {
    try (SimActuators actuators = new SimActuators(f.services, "DP", "20s", "0")) {
      ApiClient.Reply created =
          f.client.post(
              "/api/v1/responses",
              f.token("coord-dp"),
              new JsonObject()
                  .put("request_id", "w-req-2")
                  .put("plan_id", "flood_response")
                  .put("district", "DP"));
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      String runId = created.json().getString("run_id");
      JsonArray tasks = created.json().getJsonArray("tasks");
      String first = tasks.getJsonObject(0).getString("task_id");
      String second = tasks.getJsonObject(1).getString("task_id");
      for (String to : List.of("accepted", "in_progress", "done")) {
        assertThat(move("tasks/" + first, "operator", to).status()).isEqualTo(200);
      }
      assertThat(move("tasks/" + second, "operator", "accepted").status()).isEqualTo(200);
      ApiClient.Reply cancelled =
          f.client.post(
              "/api/v1/responses/" + runId + "/cancel",
              f.token("coord-dp"),
              new JsonObject().put("request_id", "w-cancel-2"));
      assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
      await("the run's open tasks cancelled")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  get("/api/v1/responses/" + runId, "viewer").getJsonArray("tasks").stream()
                      .map(t -> ((JsonObject) t).getString("state"))
                      .toList(),
              states -> states.equals(List.of("done", "cancelled", "cancelled")));
      JsonObject second2 = get("/api/v1/tasks/" + second, "viewer");
      assertThat(second2.getJsonArray("allowed_transitions")).isEmpty();
      assertThat(steps(second2))
          .containsExactly(
              "transition assigned->accepted by operator: null",
              "transition accepted->cancelled by system: run " + runId + " cancelled");
      assertThat(move("tasks/" + second, "operator", "in_progress").status()).isEqualTo(409);
    }
  }

  private static JsonObject get(String path, String user) throws Exception {
    ApiClient.Reply reply = f.client.get(path, f.token(user));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply.json();
  }

  private static ApiClient.Reply move(String item, String user, String to) throws Exception {
    return f.client.post(
        "/api/v1/" + item + "/transitions", f.token(user), new JsonObject().put("to", to));
  }

  private static ApiClient.Reply assign(String alertId, String assignee) throws Exception {
    return f.client.send(
        "PUT",
        "/api/v1/alerts/" + alertId + "/assignee",
        f.token("operator"),
        new JsonObject().put("assignee", assignee).encode());
  }

  /** The history as "action from->to by actor: note" lines. */
  private static List<String> steps(JsonObject item) {
    return item.getJsonArray("history").stream()
        .map(h -> (JsonObject) h)
        .map(
            h ->
                h.getString("action")
                    + " "
                    + h.getString("from_state")
                    + "->"
                    + h.getString("to_state")
                    + " by "
                    + h.getString("actor")
                    + ": "
                    + h.getString("note"))
        .toList();
  }

  private static long audits(String action, String outcome, String targetPrefix) throws Exception {
    return TestData.count(
        f.services.dataSource(),
        "SELECT count(*) FROM audit_log WHERE action = ? AND outcome = ? AND target LIKE ?",
        action,
        outcome,
        targetPrefix + "%");
  }
}
