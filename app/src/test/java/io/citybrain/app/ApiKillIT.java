package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.api.SimActuators;
import io.citybrain.app.ApiProcesses.Api;
import io.citybrain.seeds.District;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Command API as separate processes ({@code citybrain api}) on the real broker and PostgreSQL,
 * the simulator's actuators answering (each command id executed at most once, remembered in their
 * journal): a {@code kill -9} in the middle of a response run and a restart, and two processes on
 * one database, one of them killed. Every run resumes and ends with each target in the state the
 * device's acks say, no device executes a command twice, and no target is timed out before its
 * attempt's own expiry.
 */
@ExtendWith(CityServicesExtension.class)
class ApiKillIT {
  private static final District DP = ApiProcesses.SEEDS.district("DP").orElseThrow();

  /** Each attempt lives this long: long enough to outlast a restart, short for CI. */
  private static final long ACK_TIMEOUT_MS = 10_000;

  /** The actuators answer DONE 2-6 s after ACCEPTED: the kill lands between the two. */
  private static final String ACK_LATENCY = "4s";

  @Test
  @DisplayName(
      "two API processes on one database, the leader killed mid-run, then the last one killed"
          + " mid-run and restarted: every run completes, each device ran each command once, no"
          + " timeout before expiry")
  void killTheLeaderThenTheLastOne(TestServices services, @TempDir Path dir) throws Exception {
    try (ApiProcesses apis = new ApiProcesses(services, dir, ACK_TIMEOUT_MS);
        SimActuators actuators =
            SimActuators.remembering(services, "DP", ACK_LATENCY, dir.resolve("actuator-state"))) {
      Api a = apis.start(true);
      a.awaitLeading(Duration.ofSeconds(60));
      String token = a.login("demo-coordinator", a.passwords.get("demo-coordinator"));

      // 1. A run on the leader; a second process starts while it runs and must not end it.
      JsonObject first = trigger(a, token, "two-1");
      Api b = apis.start(false);
      assertThat(b.leads()).as("the second process is a standby").isFalse();
      JsonObject firstDone = awaitEnd(a, token, first.getString("run_id"));
      assertEveryTargetDoneOnce(
          services, actuators, first.getString("run_id"), firstDone, first.getInteger("total"), 1);
      assertThat(b.leads()).isFalse();

      // 2. Triggered through the standby (stored there, sent by the leader); the leader dies
      // mid-run and the standby takes the lease, the run and the acks it stored meanwhile.
      JsonObject second = trigger(b, token, "two-2");
      String secondId = second.getString("run_id");
      int total = second.getInteger("total");
      awaitAllSent(services, secondId, total);
      Map<String, Integer> atFirstKill = states(services, secondId);
      a.kill9();
      long killedAtMs = System.currentTimeMillis();
      b.awaitLeading(Duration.ofSeconds(30));
      long takenAtMs = System.currentTimeMillis();
      JsonObject secondDone = awaitEnd(b, token, secondId);
      assertEveryTargetDoneOnce(services, actuators, secondId, secondDone, total, 2);
      System.out.printf(
          "ApiKillIT: leader killed with %s of %d targets; standby led %d ms later; attempts %s%n",
          atFirstKill, total, takenAtMs - killedAtMs, attempts(services, secondId));

      // 3. The last process killed mid-run and started again: it resumes from the database.
      JsonObject third = trigger(b, token, "two-3");
      String thirdId = third.getString("run_id");
      awaitAllSent(services, thirdId, total);
      Map<String, Integer> atSecondKill = states(services, thirdId);
      b.kill9();
      killedAtMs = System.currentTimeMillis();
      assertThat(atSecondKill.getOrDefault("done", 0))
          .as("killed before the devices' final acks: %s", atSecondKill)
          .isLessThan(total);
      Api restarted = apis.start(false);
      int tracked = restarted.awaitLeading(Duration.ofSeconds(60));
      long resumedAtMs = System.currentTimeMillis();
      assertThat(tracked).as("runs taken over by the restarted process").isEqualTo(1);
      JsonObject thirdDone = awaitEnd(restarted, token, thirdId);
      assertEveryTargetDoneOnce(services, actuators, thirdId, thirdDone, total, 3);
      System.out.printf(
          "ApiKillIT: only process killed with %s of %d targets; restarted and leading %d ms"
              + " later; run ended %s, attempts %s%n",
          atSecondKill,
          total,
          resumedAtMs - killedAtMs,
          thirdDone.getString("state"),
          attempts(services, thirdId));
    }
  }

  @Test
  @DisplayName(
      "the only API process killed with every single attempt out, the devices answering while it"
          + " is down: restarted, it gets their acks from its session and every target is done, none"
          + " timed out")
  void acksWhileNoApiIsUp(TestServices services, @TempDir Path dir) throws Exception {
    // One attempt per command: nothing re-asks a device, so only the acks sent while no API
    // process was up can tell the restarted one what the devices did. 30 s outlasts the restart.
    try (ApiProcesses apis = new ApiProcesses(services, dir, 30_000, 1);
        SimActuators actuators =
            SimActuators.remembering(services, "DP", ACK_LATENCY, dir.resolve("actuator-state"))) {
      Api a = apis.start(true);
      a.awaitLeading(Duration.ofSeconds(60));
      String token = a.login("demo-coordinator", a.passwords.get("demo-coordinator"));
      JsonObject run = trigger(a, token, "down-1");
      String runId = run.getString("run_id");
      int total = run.getInteger("total");
      awaitAllSent(services, runId, total);
      a.kill9();
      Map<String, Integer> atKill = states(services, runId);
      assertThat(atKill.getOrDefault("done", 0))
          .as("killed before the devices' final acks: %s", atKill)
          .isLessThan(total);
      List<String> devices = targetDevices(services, runId);
      // Every device answers DONE while no API process is up.
      await("every device executed its command")
          .atMost(Duration.ofSeconds(30))
          .until(() -> devices.stream().allMatch(d -> actuators.executions(d) == 1));
      Api restarted = apis.start(false);
      restarted.awaitLeading(Duration.ofSeconds(60));
      JsonObject done = awaitEnd(restarted, token, runId);
      assertEveryTargetDoneOnce(services, actuators, runId, done, total, 1);
      assertThat(attempts(services, runId)).as("attempts per target").containsOnlyKeys("1");
      System.out.printf(
          "ApiKillIT: only process killed with %s of %d targets, devices answered while it was"
              + " down; restarted, run ended %s%n",
          atKill, total, done.getString("state"));
    }
  }

  private static List<String> targetDevices(TestServices services, String runId)
      throws SQLException {
    List<String> out = new java.util.ArrayList<>();
    try (Connection c = services.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT device_id FROM command WHERE run_id = ? AND action <> 'cancel'")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static void awaitAllSent(TestServices services, String runId, int total) {
    // Mid-run: every target's first attempt is out and stored, before the devices' final acks.
    await("every target of " + runId + " sent")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> count(services, ATTEMPTS, runId) == total);
  }

  private static JsonObject trigger(Api api, String token, String requestId) {
    ApiProcesses.Reply created =
        api.send(
            "POST",
            "/api/v1/responses",
            token,
            new JsonObject()
                .put("request_id", requestId)
                .put("plan_id", "flood_response")
                .put("district", "DP")
                .put("lat", DP.lat())
                .put("lon", DP.lon()));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    return created.json();
  }

  private static JsonObject awaitEnd(Api api, String token, String runId) {
    JsonObject[] last = new JsonObject[1];
    await("run " + runId + " ends")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              ApiProcesses.Reply reply = api.send("GET", "/api/v1/responses/" + runId, token, null);
              if (reply.status() != 200) {
                return false;
              }
              last[0] = reply.json();
              return !"running".equals(last[0].getString("state"));
            });
    return last[0];
  }

  /**
   * The run completed; every target done, as its device answered; each device executed the command
   * once; and no target's attempt was timed out before that attempt expired.
   */
  private static void assertEveryTargetDoneOnce(
      TestServices services,
      SimActuators actuators,
      String runId,
      JsonObject run,
      int total,
      int runsSoFar)
      throws SQLException {
    assertThat(run.getString("state")).as(run.encodePrettily()).isEqualTo("completed");
    assertThat(run.getJsonObject("counts").getInteger("done")).isEqualTo(total);
    run.getJsonArray("targets")
        .forEach(
            t -> {
              JsonObject target = (JsonObject) t;
              // The runs so far target the same devices, each run its own command ids.
              assertThat(actuators.executions(target.getString("device_id")))
                  .as("executions of %s after %d run(s)", target.getString("device_id"), runsSoFar)
                  .isEqualTo(runsSoFar);
            });
    assertThat(count(services, EARLY_TIMEOUTS, runId))
        .as("timed_out events before their attempt expired")
        .isZero();
  }

  /** Attempts stored for the run's targets. */
  private static final String ATTEMPTS =
      "SELECT count(*) FROM command_attempt a JOIN command m ON m.command_id = a.command_id"
          + " WHERE m.run_id = ? AND m.action <> 'cancel'";

  /** timed_out events earlier than the expiry of the attempt they time out. */
  private static final String EARLY_TIMEOUTS =
      """
      SELECT count(*) FROM command_event e JOIN command m ON m.command_id = e.command_id
      JOIN command_attempt a ON a.command_id = e.command_id
        AND a.attempt = substring(e.detail FROM '^attempt ([0-9]+)')::int
      WHERE m.run_id = ? AND e.state = 'timed_out' AND e.at < a.expires_at""";

  private static long count(TestServices services, String sql, String runId) throws SQLException {
    try (Connection c = services.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Map<String, Integer> states(TestServices services, String runId)
      throws SQLException {
    return grouped(
        services,
        "SELECT state, count(*) FROM command WHERE run_id = ? AND action <> 'cancel' GROUP BY state"
            + " ORDER BY state",
        runId);
  }

  private static Map<String, Integer> attempts(TestServices services, String runId)
      throws SQLException {
    return grouped(
        services,
        "SELECT attempts::text, count(*) FROM command WHERE run_id = ? AND action <> 'cancel'"
            + " GROUP BY attempts ORDER BY attempts",
        runId);
  }

  private static Map<String, Integer> grouped(TestServices services, String sql, String runId)
      throws SQLException {
    Map<String, Integer> out = new LinkedHashMap<>();
    try (Connection c = services.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return out;
  }
}
