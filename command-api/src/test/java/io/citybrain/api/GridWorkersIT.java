package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.api.cases.CaseHistoryReplay;
import io.citybrain.api.http.Role;
import io.citybrain.seeds.District;
import io.citybrain.simulators.work.GridWorkers;
import io.citybrain.simulators.work.HandlingModel;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The city's simulated people through the real API and database: grid workers and departments carry
 * reported cases to closed (or, at the model's failure rate, leave them in handling), the
 * departments finish a plan's tasks, an operator resolves an alert only once the job has cleared
 * it, the duty coordinator runs an incident to closed; the case rates the API serves equal a
 * recomputation that replays the event log.
 */
@ExtendWith(CityServicesExtension.class)
class GridWorkersIT {
  private static final District DP = ApiFixture.SEEDS.district("DP").orElseThrow();

  /** Subtypes with SLAs of one to four hours, so that a case takes seconds at the test's speed. */
  private static final List<String> SUBTYPES =
      List.of(
          "garbage_overflow",
          "waterlogging",
          "illegal_parking",
          "crowd_gathering",
          "manhole_cover");

  private static final List<String> DISTRICTS = List.of("DP", "NS", "FT");
  private static final int CASES = 150;
  private static final double SUCCESS = 0.8;
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
      "simulated people close cases at the model's rate, finish tasks, resolve a cleared alert and close an incident; the rates equal the log's replay")
  void theCityIsHandled() throws Exception {
    for (int i = 0; i < CASES; i++) {
      ApiClient.Reply reported =
          f.client.post(
              "/api/v1/cases",
              f.token("operator"),
              new JsonObject()
                  .put("district", DISTRICTS.get(i % DISTRICTS.size()))
                  .put("subtype", SUBTYPES.get(i % SUBTYPES.size()))
                  .put("description", "report " + i));
      assertThat(reported.status()).as(reported.text()).isEqualTo(201);
    }
    TestData.alert(f.services.dataSource(), "gw-a1", "DP", "high", "raised", Instant.now());
    TestData.incident(
        f.services.dataSource(), "gw-inc", "DP", "flood_response", DP.lat(), DP.lon());
    CommandApi.DemoUser worker = f.api.createGeneratedUser("gw-worker", Role.OPERATOR);
    CommandApi.DemoUser duty = f.api.createGeneratedUser("gw-duty", Role.COORDINATOR);
    // An hour of work a second: a case's steps take tens of simulated minutes, here under a second.
    HandlingModel model = HandlingModel.defaults(3600).withCaseSuccessRate(SUCCESS);
    try (SimActuators actuators = new SimActuators(f.services, "DP", "50ms", "0");
        GridWorkers workers =
            GridWorkers.start(
                f.api.url(),
                new GridWorkers.Credentials(worker.username(), worker.password()),
                new GridWorkers.Credentials(duty.username(), duty.password()),
                model,
                20190429L,
                4)) {
      await("the alert acknowledged")
          .atMost(Duration.ofSeconds(30))
          .until(() -> alert().getString("handling").equals("acknowledged"));
      await("every case closed or left in handling, nothing more to do")
          .atMost(Duration.ofMinutes(2))
          .conditionEvaluationListener(
              c -> {
                if (c.getRemainingTimeInMS() < 1_000) {
                  System.out.println(
                      "workers "
                          + workers.moves()
                          + " pending "
                          + workers.pending("case")
                          + " "
                          + states());
                }
              })
          .until(
              () ->
                  workers.pending("case") == 0
                      && count(
                              "SELECT count(*) FROM grid_case WHERE state IN ('closed', 'handling')")
                          == CASES);
      // Still raised: seen, not resolved, however long the operator watches it.
      assertThat(alert().getString("handling")).isEqualTo("acknowledged");
      TestData.exec(
          f.services.dataSource(),
          "UPDATE alert SET state = 'cleared', cleared_at = now() WHERE alert_id = 'gw-a1'");
      await("the cleared alert resolved")
          .atMost(Duration.ofSeconds(30))
          .until(() -> alert().getString("handling").equals("resolved"));
      await("the incident closed after its plan's tasks")
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  count(
                          "SELECT count(*) FROM incident WHERE incident_id = 'gw-inc' AND state = 'closed'")
                      == 1);
      assertThat(workers.moves().get("errors")).isZero();
    }
    long closed = count("SELECT count(*) FROM grid_case WHERE state = 'closed'");
    // Binomial(150, 0.8): 120 expected, sigma 4.9; 4 sigma either way.
    assertThat(closed).isBetween(100L, 140L);
    assertThat(
            count(
                "SELECT count(*) FROM department_task t JOIN plan_run r USING (run_id)"
                    + " WHERE r.incident_id = 'gw-inc' AND t.state IN ('done', 'failed')"))
        .isEqualTo(3);
    assertThat(
            count(
                "SELECT count(*) FROM grid_case_history WHERE actor = 'gw-worker' AND to_state = 'closed'"))
        .isEqualTo(closed);
    assertThat(
            count(
                "SELECT count(*) FROM audit_log WHERE actor = 'gw-worker' AND action = 'case_transition'"))
        .isEqualTo(count("SELECT count(*) FROM grid_case_history WHERE actor = 'gw-worker'"));

    // The rates the API serves are the replay of the event log, per district, department and
    // category.
    CaseHistoryReplay replay = CaseHistoryReplay.read(f.services.dataSource());
    assertThat(replay.illegalMoves()).isEmpty();
    for (String by : List.of("district", "department", "category")) {
      JsonArray served =
          f.client
              .get("/api/v1/cases/stats?by=" + by, f.token("viewer"))
              .json()
              .getJsonArray("items");
      assertThat(served).as(by).isEqualTo(new JsonArray(replay.rates(by)));
    }
    JsonObject all =
        f.client
            .get("/api/v1/cases/stats", f.token("viewer"))
            .json()
            .getJsonArray("items")
            .getJsonObject(0);
    assertThat(all.getLong("resolved")).isEqualTo(closed);
    assertThat(all.getLong("total")).isEqualTo(CASES);
    assertThat(Set.of("done", "failed"))
        .contains(
            f.client
                .get("/api/v1/tasks?district=DP&limit=10", f.token("viewer"))
                .json()
                .getJsonArray("items")
                .getJsonObject(0)
                .getString("state"));
  }

  private static String states() {
    try (var c = f.services.dataSource().getConnection();
        var rs =
            c.createStatement()
                .executeQuery("SELECT state, count(*) FROM grid_case GROUP BY 1 ORDER BY 1")) {
      StringBuilder out = new StringBuilder();
      while (rs.next()) {
        out.append(rs.getString(1)).append('=').append(rs.getLong(2)).append(' ');
      }
      return out.toString();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static JsonObject alert() throws Exception {
    return f.client.get("/api/v1/alerts/gw-a1", f.token("viewer")).json();
  }

  private static long count(String sql) throws Exception {
    return TestData.count(f.services.dataSource(), sql);
  }
}
