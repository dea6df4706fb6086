package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.proto.v1.Command;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A coordinator's one command to one device, end to end: the API, the real broker and database, and
 * the simulator's actuators verifying the signed command and executing it once.
 */
@ExtendWith(CityServicesExtension.class)
class DeviceCommandIT {
  private static ApiFixture f;
  private static CommandObserver observer;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, c -> {});
    observer = new CommandObserver(services, "DP");
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
      "one signed command reaches the one device, which executes it once; the single run completes,"
          + " is audited and answers a repeat with itself")
  void singleCommandCompletes() throws Exception {
    String device = device("DP", "message_sign");
    String coord = f.token("coord-dp");
    JsonObject body =
        new JsonObject()
            .put("request_id", "dc-1")
            .put("action", "display")
            .put("params", new JsonObject().put("text", "Lane closed"));
    try (SimActuators actuators = new SimActuators(f.services, "DP", "50ms", "0")) {
      ApiClient.Reply created = send(device, coord, body);
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      JsonObject run = created.json();
      String runId = run.getString("run_id");
      assertThat(run.getValue("plan_id")).isNull();
      assertThat(run.getString("district")).isEqualTo("DP");
      assertThat(run.getInteger("total")).isEqualTo(1);
      assertThat(run.getJsonArray("tasks")).isEmpty();
      JsonObject target = run.getJsonArray("targets").getJsonObject(0);
      assertThat(target.getString("device_id")).isEqualTo(device);
      assertThat(target.getString("action")).isEqualTo("display");
      assertThat(target.getJsonObject("params").getString("text")).isEqualTo("Lane closed");

      JsonObject done =
          await("run " + runId + " finished")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(50))
              .until(
                  () -> f.client.get("/api/v1/responses/" + runId, f.token("viewer")).json(),
                  r -> !"running".equals(r.getString("state")));
      assertThat(done.getString("state")).isEqualTo("completed");
      assertThat(done.getJsonObject("counts").getInteger("done")).isEqualTo(1);
      // The device verified the signature and executed the command, once.
      assertThat(actuators.executions(device)).isEqualTo(1);
      List<Command> sent =
          observer.commands.stream().filter(c -> c.getPlanRunId().equals(runId)).toList();
      assertThat(sent).hasSize(1);
      assertThat(sent.get(0).getDeviceId()).isEqualTo(device);
      assertThat(sent.get(0).getAction()).isEqualTo("display");
      assertThat(sent.get(0).getSignature().isEmpty()).isFalse();

      // The same request again: the same run, 200, nothing sent again.
      ApiClient.Reply repeated = send(device, coord, body);
      assertThat(repeated.status()).as(repeated.text()).isEqualTo(200);
      assertThat(repeated.json().getString("run_id")).isEqualTo(runId);
      // Another request under the same id: 422.
      assertThat(send(device, coord, body.copy().put("action", "clear")).status()).isEqualTo(422);
      assertThat(actuators.executions(device)).isEqualTo(1);
      assertThat(
              f.client.get("/api/v1/responses?district=DP", f.token("viewer")).items().stream()
                  .map(r -> (JsonObject) r)
                  .filter(r -> runId.equals(r.getString("run_id")))
                  .map(r -> r.getValue("plan_id")))
          .containsExactly((Object) null);
    }
    assertThat(
            TestData.count(
                f.services.dataSource(),
                "SELECT count(*) FROM audit_log WHERE action = 'device_command' AND actor = 'coord-dp'"
                    + " AND outcome = 'allowed' AND district = 'DP'"))
        .isEqualTo(1);
    assertThat(
            TestData.count(
                f.services.dataSource(),
                "SELECT count(*) FROM plan_run WHERE kind = 'single' AND actor = 'coord-dp'"
                    + " AND request_id = 'dc-1'"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName(
      "refused: an unknown device 404, an action its kind does not take or bad params 400, another"
          + " district's device 403, an operator 403")
  void refusals() throws Exception {
    String device = device("DP", "barrier");
    String coord = f.token("coord-dp");
    JsonObject ok =
        new JsonObject().put("request_id", "dc-r").put("action", "close").put("params", null);
    assertThat(send("DP-NOPE-9999", coord, ok).status()).isEqualTo(404);
    ApiClient.Reply wrong = send(device, coord, ok.copy().put("action", "display"));
    assertThat(wrong.status()).as(wrong.text()).isEqualTo(400);
    assertThat(wrong.json().getString("field")).isEqualTo("action");
    assertThat(wrong.json().getString("reason")).contains("close, open");
    ApiClient.Reply sensor =
        send(device("DP", "air_quality"), coord, ok.copy().put("action", "close"));
    assertThat(sensor.status()).as(sensor.text()).isEqualTo(400);
    ApiClient.Reply badParam =
        send(device, coord, ok.copy().put("params", new JsonObject().put("speed", 3)));
    assertThat(badParam.status()).as(badParam.text()).isEqualTo(400);
    assertThat(badParam.json().getString("field")).isEqualTo("params.speed");
    assertThat(send(device, f.token("coord-ns"), ok).status()).isEqualTo(403);
    assertThat(send(device, f.token("operator"), ok).status()).isEqualTo(403);
    assertThat(
            TestData.count(
                f.services.dataSource(),
                "SELECT count(*) FROM command WHERE device_id = ?",
                device))
        .isZero();
  }

  @Test
  @DisplayName(
      "a single run another process stored and left unsent is resumed by the leader: sent, executed"
          + " once, completed")
  void leftSingleRunIsResumed() throws Exception {
    String device = device("DP", "loudspeaker");
    var ds = f.services.dataSource();
    // What a process that died right after the trigger's commit leaves: the run and its pending
    // command, nothing sent.
    TestData.exec(
        ds,
        "INSERT INTO plan_run (run_id, plan_id, district, request_id, request_hash, actor, state)"
            + " VALUES ('run-left-single', NULL, 'DP', 'dc-left', NULL, 'coord-dp', 'running')");
    TestData.exec(
        ds,
        "INSERT INTO command (command_id, run_id, device_id, district, action, params, state, attempts,"
            + " issued_at, expires_at) VALUES ('run-left-single-c1', 'run-left-single', ?, 'DP',"
            + " 'broadcast', '{\"message\": \"test\"}'::jsonb, 'pending', 0, now(), now() + interval '120 seconds')",
        device);
    try (SimActuators actuators = new SimActuators(f.services, "DP", "50ms", "0")) {
      JsonObject done =
          await("the left run finished")
              .atMost(Duration.ofSeconds(40))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () -> f.client.get("/api/v1/responses/run-left-single", f.token("viewer")).json(),
                  r -> !"running".equals(r.getString("state")));
      assertThat(done.getString("state")).isEqualTo("completed");
      assertThat(done.getValue("plan_id")).isNull();
      assertThat(actuators.executions(device)).isEqualTo(1);
    }
  }

  private static ApiClient.Reply send(String device, String token, JsonObject body)
      throws Exception {
    return f.client.post("/api/v1/devices/" + device + "/commands", token, body);
  }

  /** The first device of a kind in a district. */
  static String device(String district, String kind) throws Exception {
    return device(f, district, kind);
  }

  /** The first device of a kind in a district of the fixture's database. */
  static String device(ApiFixture fixture, String district, String kind) throws Exception {
    try (Connection c = fixture.services.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT device_id FROM device WHERE district = ? AND kind = ? ORDER BY device_id LIMIT 1")) {
      ps.setString(1, district);
      ps.setString(2, kind);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }
}
