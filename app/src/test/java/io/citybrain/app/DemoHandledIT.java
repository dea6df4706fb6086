package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Principal;
import io.citybrain.api.ApiConfig;
import io.citybrain.api.CommandApi;
import io.citybrain.api.WallBrowser;
import io.citybrain.api.cases.CaseHistoryReplay;
import io.citybrain.api.http.Role;
import io.citybrain.api.response.CommandKeys;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo's city is handled: {@code citybrain demo} runs with its simulated people (at 600x, an
 * hour's work in six seconds), its cameras' cases get resolved, a plan's department tasks get done,
 * and afterwards the rates on the wall equal a replay of the cases' event log.
 */
@ExtendWith(CityServicesExtension.class)
class DemoHandledIT {
  /** How long the demo runs: 40 s of real time, nearly seven simulated hours at 600x. */
  private static final Duration RUN = Duration.ofSeconds(40);

  @Test
  @DisplayName(
      "after the demo ran, cases and tasks were resolved by its simulated people and the wall's rates equal the event log's replay")
  void theDemoCityIsHandled(TestServices services) throws Exception {
    JsonObject early;
    JsonObject late;
    String runId;
    try (RunningDemo demo =
        RunningDemo.start(
            "--db-url",
            services.jdbcUrl(),
            "--mqtt-port",
            "0",
            "--api-port",
            "0",
            "--work-speed",
            "600")) {
      assertThat(demo.out.toString()).contains("workers     grid workers and departments");
      ApiScript api =
          new ApiScript(
              "http://127.0.0.1:" + demo.printed("api +http://127\\.0\\.0\\.1:(\\d+)/api/v1"));
      String coordinator =
          api.login(
              "demo-coordinator", demo.printed("coordinator +demo-coordinator +password (\\S+)"));
      JsonObject run =
          api.send(
              "POST",
              "/api/v1/responses",
              coordinator,
              new JsonObject()
                  .put("request_id", "demo-handled-1")
                  .put("plan_id", "flood_response")
                  .put("district", "DP"),
              201);
      runId = run.getString("run_id");
      Thread.sleep(RUN.toMillis() / 2);
      early = all(api, coordinator);
      Thread.sleep(RUN.toMillis() / 2);
      late = all(api, coordinator);
      System.out.printf(
          "DemoHandledIT: after %d s %s; after %d s %s%n",
          RUN.toSeconds() / 2, early.encode(), RUN.toSeconds(), late.encode());
    }
    var ds = services.dataSource();
    assertThat(late.getLong("total")).isGreaterThan(early.getLong("total"));
    assertThat(late.getLong("resolved"))
        .as("cases resolved by the simulated departments")
        .isGreaterThan(early.getLong("resolved"))
        .isPositive();
    assertThat(
            Sql.count(
                ds,
                "SELECT count(*) FROM grid_case_history WHERE actor = 'sim-grid-worker' AND to_state = 'closed'"))
        .isPositive();
    assertThat(
            Sql.count(
                ds,
                "SELECT count(*) FROM department_task WHERE run_id = ? AND state IN ('done', 'failed')",
                runId))
        .as("the plan's tasks finished by the simulated departments")
        .isEqualTo(3);

    // The demo stopped; its database stays. The wall over it shows the rates the log replays to.
    CaseHistoryReplay replay = CaseHistoryReplay.read(ds);
    assertThat(replay.illegalMoves()).isEmpty();
    try (CommandApi wallApi =
            CommandApi.start(
                ApiConfig.builder()
                    .jdbcUrl(services.jdbcUrl())
                    .mqttUrl(services.mqttUrl())
                    .mqttLogin(services.login(Principal.api()))
                    .commandKeys(CommandKeys.of(services.installation()))
                    .port(0)
                    .migrate(false)
                    .build());
        WallBrowser browser = new WallBrowser(1680, 1400)) {
      wallApi.createUser("handled-viewer", "handled-viewer-pass", Role.VIEWER, Set.of());
      browser.open(wallApi.url() + "/");
      browser.login("handled-viewer", "handled-viewer-pass");
      List<JsonObject> rates = replay.rates("district");
      assertThat(rates).isNotEmpty();
      for (JsonObject r : rates) {
        String row = "#case-rate-table tr[data-rate-key='" + r.getString("key") + "'] ";
        browser.until(
            d -> browser.text(row + "[data-field='total']") != null, Duration.ofSeconds(30));
        assertThat(browser.text(row + "[data-field='total']"))
            .isEqualTo(String.valueOf(r.getLong("total")));
        assertThat(browser.text(row + "[data-field='resolved']"))
            .isEqualTo(String.valueOf(r.getLong("resolved")));
        assertThat(browser.text(row + "[data-field='resolution_rate']"))
            .isEqualTo(percent(r.getDouble("resolution_rate")));
        assertThat(browser.text(row + "[data-field='sla_compliance']"))
            .isEqualTo(percent(r.getDouble("sla_compliance")));
      }
      assertThat(browser.pageErrors()).isEmpty();
    }
  }

  private static String percent(Double rate) {
    return rate == null ? "–" : String.format(Locale.ROOT, "%.2f", rate);
  }

  private static JsonObject all(ApiScript api, String token) throws Exception {
    return api.send("GET", "/api/v1/cases/stats", token, null, 200)
        .getJsonArray("items")
        .getJsonObject(0);
  }
}
