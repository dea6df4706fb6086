package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.ResultJson;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.AlertState;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Evidence;
import io.citybrain.proto.v1.Incident;
import io.citybrain.proto.v1.MetricStats;
import io.citybrain.proto.v1.Position;
import io.citybrain.proto.v1.Severity;
import io.citybrain.seeds.District;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.RetainedTopics;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.support.ui.Select;

/**
 * The wall in a real browser (headless Chromium from Debian): the API on the test database and
 * broker, the stream job's results published to the live topics by the test itself (the Flink job
 * is not needed to draw them), and the simulator's actuators in-process so a triggered plan
 * completes. One browser for the class, ordered steps: a flood in Dapeng as the stream job would
 * report it, a coordinator who answers it, a viewer who may only watch.
 */
@ExtendWith(CityServicesExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WallIT {
  static final Path SCREENSHOT = Path.of("target", "wall-flood.png");
  private static final District DP = ApiFixture.SEEDS.district("DP").orElseThrow();
  private static final String INCIDENT = "inc-wall-flood";
  private static final Duration LIVE = Duration.ofSeconds(5);
  private static ApiFixture f;
  private static MqttConnection mqtt;
  private static WallBrowser browser;

  /**
   * Window ends of the published snapshots, ten seconds apart like the stream job's, from now on:
   * newer than any snapshot an earlier run left retained on the shared broker, which the page would
   * otherwise rightly prefer.
   */
  // Two hours back: the API refuses a snapshot dated beyond its clock skew, and the tests step
  // hundreds of 10 s windows forward.
  private static long windowEnd = Instant.now().minusSeconds(7_200).toEpochMilli();

  @BeforeAll
  static void start(TestServices services) throws Exception {
    WallBrowser.requireInstalled();
    // Pictures an earlier run retained (the stream job's tests run real time) are newer than this
    // test's, and the API rightly keeps the newer one: clear them before it subscribes.
    RetainedTopics.clearLive(services.mqttUrl(), ApiFixture.SEEDS.districtCodes());
    f = ApiFixture.start(services, c -> {});
    var ds = services.dataSource();
    TestData.alert(ds, "wall-a-ns", "NS", "low", "raised", Instant.now().minusSeconds(600));
    TestData.alert(ds, "wall-a-dp", "DP", "medium", "raised", Instant.now().minusSeconds(300));
    TestData.accounting(ds, "DP", "received", "", 12_000);
    TestData.accounting(ds, "DP", "stored", "", 11_900);
    TestData.accounting(ds, "DP", "duplicate", "", 60);
    TestData.accounting(ds, "DP", "late", "", 30);
    TestData.accounting(ds, "DP", "rejected", "out_of_range", 10);
    TestData.exec(
        ds,
        "INSERT INTO dead_letter (topic, district, reason, detail, payload) VALUES "
            + "('city/v1/DP/reading/DP-WL-00003', 'DP', 'out_of_range', 'water_level_pct 412 above 300', '\\x00'::bytea)");
    for (String[] c :
        new String[][] {
          {"DP", "waterlogging"}, {"DP", "manhole_cover"}, {"FT", "garbage_overflow"}
        }) {
      ApiClient.Reply created =
          f.client.post(
              "/api/v1/cases",
              f.token("operator"),
              new JsonObject()
                  .put("district", c[0])
                  .put("subtype", c[1])
                  .put("description", "reported at the wall test"));
      assertThat(created.status()).as(created.text()).isEqualTo(201);
    }
    mqtt =
        PahoConnection.connect(
            MqttSettings.of(services.mqttUrl(), services.uniqueId("wall-results"))
                .withLogin(services.login(Principal.job())));
    browser = new WallBrowser(1680, 1400);
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (mqtt != null) {
        mqtt.close();
      }
      if (f != null) {
        f.close();
      }
    }
  }

  @Test
  @Order(1)
  @DisplayName(
      "the page loads at /, a coordinator signs in, and a district tile follows its live snapshots")
  void tilesFollowSnapshots() throws Exception {
    browser.open(f.api.url() + "/");
    browser.login("coord-dp", ApiFixture.PASSWORD);
    // A calm city first, a few windows of it for the trend lines. Published once the page listens:
    // on a shared
    // broker another run may be publishing the same topics, and the page keeps the newest window of
    // each district,
    // so what it has seen live decides, not which message the API happened to hold when the page
    // loaded.
    for (int i = 0; i < 3; i++) {
      windowEnd += 10_000;
      for (District d : ApiFixture.SEEDS.districts()) {
        publishSnapshot(
            d.code(), d.code().equals("DP") ? 35.0 : 80 + (d.code().hashCode() & 15), 12, 70, 0, 0);
      }
    }
    browser.until(
        d -> "35.0".equals(browser.text(".tile[data-district='DP'] [data-field='index']")), LIVE);
    // District scope bounds every read: a coordinator of Dapeng sees Dapeng's tile only.
    assertThat(browser.all(".tile")).hasSize(1);
    assertThat(browser.all(".tile[data-district='NS']")).isEmpty();

    long published = System.nanoTime();
    windowEnd += 10_000;
    publishSnapshot("DP", 61.5, 38, 82, 1, 0);
    browser.until(
        d -> "61.5".equals(browser.text(".tile[data-district='DP'] [data-field='index']")), LIVE);
    long shownMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - published);
    System.out.printf(
        "WallIT: DP tile showed the new snapshot %d ms after it was published%n", shownMs);
    assertThat(browser.text(".tile[data-district='DP'] [data-field='alerts']")).contains("1");

    // A burst (what a busy city with a slow client looks like): the page draws at most four times a
    // second and ends
    // on the latest snapshot.
    long rendersBefore = renders();
    long burstStart = System.nanoTime();
    for (int i = 1; i <= 200; i++) {
      windowEnd += 10_000;
      publishSnapshot("DP", i == 200 ? 59.9 : 40 + i % 20, 38, 82, 1, 0);
    }
    browser.until(
        d -> "59.9".equals(browser.text(".tile[data-district='DP'] [data-field='index']")), LIVE);
    long burstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burstStart);
    long renders = renders() - rendersBefore;
    System.out.printf("WallIT: 200 snapshots in %d ms drawn in %d redraws%n", burstMs, renders);
    assertThat(renders).isLessThanOrEqualTo(burstMs / 250 + 2);
    assertThat(browser.text("#detail-title")).containsIgnoringCase("Dapeng");
    assertThat(browser.pageErrors()).isEmpty();
  }

  @Test
  @Order(2)
  @DisplayName("alerts and the flood incident from the scenario appear in the feed, newest first")
  void incidentAppears() throws Exception {
    long now = System.currentTimeMillis();
    publishAlert(
        "rainfall_torrential:DP:" + now,
        "rainfall_mm_h",
        Severity.SEVERITY_HIGH,
        64.0,
        50,
        now - 40_000);
    publishAlert(
        "water_level_danger:DP:" + now,
        "water_level_pct",
        Severity.SEVERITY_CRITICAL,
        104.0,
        100,
        now - 20_000);
    // The stream job stores the incident, then publishes it: the trigger reads the stored row.
    TestData.exec(
        f.services.dataSource(),
        """
        INSERT INTO incident (incident_id, pattern_id, district, severity, started_at, detected_at, summary, evidence,
                              response_plan_id)
        VALUES (?, 'flood', 'DP', 'critical', ?, ?, 'Urban flooding: water over the danger level while it pours',
                ?::jsonb, 'flood_response')""",
        INCIDENT,
        Instant.ofEpochMilli(now - 60_000),
        Instant.ofEpochMilli(now),
        evidenceAsStored(now));
    publish("city/v1/DP/incident", floodIncident(now).toByteArray());
    for (int i = 0; i < 4; i++) {
      windowEnd += 10_000;
      publishSnapshot("DP", 48.0 - i * 6.5, 55 + i * 4, 96 + i * 3, 2, 1);
      Thread.sleep(300);
    }

    browser.until(
        d -> !browser.all("#feed li[data-kind='incident'][data-id='" + INCIDENT + "']").isEmpty(),
        LIVE);
    var items = browser.all("#feed li");
    assertThat(items.get(0).getDomAttribute("data-id")).as("newest first").isEqualTo(INCIDENT);
    assertThat(items.get(0).getDomAttribute("class")).contains("sev-critical");
    // Dapeng's two alerts; Nanshan's stored one is outside a Dapeng coordinator's scope.
    assertThat(browser.all("#feed li[data-kind='alert']")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(browser.all("#feed li[data-id='wall-a-ns']")).isEmpty();
    browser.until(
        d -> "28.5".equals(browser.text(".tile[data-district='DP'] [data-field='index']")), LIVE);
  }

  @Test
  @Order(3)
  @DisplayName(
      "a coordinator opens the incident, sees its evidence and plan, triggers it and watches every target finish")
  void coordinatorTriggersPlan() throws Exception {
    try (SimActuators actuators = new SimActuators(f.services, "DP", "50ms", "0")) {
      browser.click("#feed li[data-id='" + INCIDENT + "']");
      browser.until(d -> browser.text("#incident-plan") != null, LIVE);
      assertThat(browser.text("#incident-evidence"))
          .contains("DP-WL-00017")
          .contains("water_level_pct")
          .contains("104.0")
          .contains("road_flooding");
      assertThat(browser.text("#incident-plan"))
          .contains("Urban flood response")
          .contains("pump → start_pump")
          .contains("water_affairs");
      browser.click("#trigger-plan");
      browser.until(d -> "completed".equals(browser.text("#run-state")), Duration.ofSeconds(40));
      // The list fills from the stored run after the final frame; give the redraw its moment.
      browser.until(
          d ->
              !browser.all("#run-targets li").isEmpty()
                  && browser.all("#run-targets li:not([data-state='done'])").isEmpty(),
          LIVE);
    }
    // The picture first, so a failing assertion below still leaves it to look at.
    browser.until(
        d -> browser.text("#pipe-balanced") != null && browser.text("#case-due li") != null, LIVE);
    browser.screenshot(SCREENSHOT);
    long total = Long.parseLong(browser.text("[data-count='total'] b"));
    assertThat(total)
        .isPositive()
        .isEqualTo(
            TestData.count(
                f.services.dataSource(),
                "SELECT count(*) FROM command c JOIN plan_run r USING (run_id) WHERE r.incident_id = ? AND c.action <> 'cancel'",
                INCIDENT));
    assertThat(Long.parseLong(browser.text("[data-count='done'] b"))).isEqualTo(total);
    assertThat(browser.all("#run-targets li")).hasSize((int) total);
    // The run's final state is stored by the dispatcher's ordered writes, after the frame that
    // showed it: give them a moment.
    org.awaitility.Awaitility.await("the run stored as completed")
        .atMost(LIVE)
        .untilAsserted(
            () ->
                assertThat(
                        TestData.count(
                            f.services.dataSource(),
                            "SELECT count(*) FROM plan_run WHERE incident_id = ? AND actor = 'coord-dp' AND state = 'completed'",
                            INCIDENT))
                    .as(
                        "runs of the incident: %s",
                        TestData.count(
                            f.services.dataSource(),
                            "SELECT count(*) FROM plan_run WHERE incident_id = ?",
                            INCIDENT))
                    .isEqualTo(1));

    assertThat(browser.text("#pipe-balanced")).contains("balanced");
    assertThat(browser.text("#pipe-dead-count")).isEqualTo("1");
    // Dapeng's two cases; Futian's is outside the scope.
    assertThat(browser.text("#case-states [data-case-state='dispatched'] b")).isEqualTo("2");
    assertThat(SCREENSHOT).isNotEmptyFile();
    assertThat(browser.pageErrors()).isEmpty();
  }

  @Test
  @Order(4)
  @DisplayName(
      "the coordinator acknowledges an alert, carries the plan's department tasks to done, resolves and closes the incident")
  void coordinatorClosesTheLoop() throws Exception {
    String alert = "#feed li[data-id='wall-a-dp']";
    browser.click(alert + " button[data-move-to='acknowledged']");
    browser.until(
        d -> textContent(alert + " .handling").contains("acknowledged by coord-dp"), LIVE);
    assertThat(browser.all(alert + " button[data-move-to='resolved']")).hasSize(1);

    browser.until(d -> browser.all("#run-tasks li").size() == 3, LIVE);
    for (String taskId :
        browser.all("#run-tasks li").stream()
            .map(li -> li.getDomAttribute("data-task-id"))
            .toList()) {
      String task = "#run-tasks li[data-task-id='" + taskId + "']";
      for (String[] step :
          new String[][] {
            {"accepted", "accepted"}, {"in_progress", "in_progress"}, {"done", "done"}
          }) {
        browser.until(
            d -> !browser.all(task + " button[data-move-to='" + step[0] + "']").isEmpty(), LIVE);
        browser.click(task + " button[data-move-to='" + step[0] + "']");
        browser.until(d -> !browser.all(task + "[data-state='" + step[1] + "']").isEmpty(), LIVE);
      }
    }
    // Done is final: no buttons left on the tasks.
    assertThat(browser.all("#run-tasks button")).isEmpty();

    String lifecycle = "#incident-lifecycle";
    browser.until(
        d -> !browser.all(lifecycle + " button[data-move-to='resolved']").isEmpty(), LIVE);
    browser.click(lifecycle + " button[data-move-to='resolved']");
    browser.until(d -> !browser.all(lifecycle + "[data-state='resolved']").isEmpty(), LIVE);
    browser.click(lifecycle + " button[data-move-to='closed']");
    browser.until(d -> !browser.all(lifecycle + "[data-state='closed']").isEmpty(), LIVE);
    assertThat(browser.all(lifecycle + " button")).isEmpty();
    assertThat(browser.all("#incident-history li")).hasSize(3);
    // Scrolled lists: what they hold, seen or not.
    assertThat(textContent("#incident-history"))
        .contains("open → responding")
        .contains("responding → resolved")
        .contains("resolved → closed");
    // The timeline tells the whole story; a comment joins it.
    browser.until(
        d -> !browser.all("#incident-timeline li[data-type='run_finished']").isEmpty(), LIVE);
    assertThat(browser.all("#incident-timeline li[data-type='command']")).isNotEmpty();
    assertThat(browser.all("#incident-timeline li[data-type='task']")).hasSize(9);
    browser.driver.findElement(By.id("comment-text")).sendKeys("water receding, crews stood down");
    browser.click("#comment-submit");
    browser.until(
        d -> textContent("#incident-timeline li[data-type='comment']").contains("water receding"),
        LIVE);

    var ds = f.services.dataSource();
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM incident WHERE incident_id = ? AND state = 'closed' AND closed_by = 'coord-dp'"
                    + " AND resolved_by = 'coord-dp'",
                INCIDENT))
        .isEqualTo(1);
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM department_task t JOIN plan_run r USING (run_id)"
                    + " WHERE r.incident_id = ? AND t.state = 'done'",
                INCIDENT))
        .isEqualTo(3);
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM alert WHERE alert_id = 'wall-a-dp' AND handling = 'acknowledged'"
                    + " AND acknowledged_by = 'coord-dp'"))
        .isEqualTo(1);
    // Every step audited as the coordinator's: 1 alert move, 9 task moves, 2 incident moves.
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM audit_log WHERE actor = 'coord-dp' AND outcome = 'allowed'"
                    + " AND action IN ('transition_alert', 'transition_task', 'transition_incident')"))
        .isEqualTo(12);

    // The case board acts: Dapeng's waterlogging case handled, rectified, confirmed and closed with
    // the reporter's rating; the rates beside it are the API's, from the cases' history.
    String caseId =
        browser.all("#case-due li").stream()
            .filter(li -> li.getText().contains("waterlogging"))
            .findFirst()
            .orElseThrow()
            .getDomAttribute("data-case-id");
    String row = "#case-due li[data-case-id='" + caseId + "']";
    for (String to : List.of("handling", "resolved", "confirmed", "closed")) {
      browser.until(d -> !browser.all(row + " button[data-move-to='" + to + "']").isEmpty(), LIVE);
      if (to.equals("closed")) {
        // The board redraws with every case frame; the chosen rating is kept across redraws.
        String rating = row + " select[data-rating-for]";
        browser.until(
            d -> {
              try {
                new Select(d.findElement(By.cssSelector(rating))).selectByValue("4");
                return "4".equals(d.findElement(By.cssSelector(rating)).getDomProperty("value"));
              } catch (StaleElementReferenceException redrawn) {
                return false;
              }
            },
            LIVE);
      }
      browser.click(row + " button[data-move-to='" + to + "']");
    }
    browser.until(d -> browser.all(row).isEmpty(), LIVE);

    // The other Dapeng case goes to another department from the board.
    String other =
        browser.all("#case-due li").stream()
            .filter(li -> li.getText().contains("manhole_cover"))
            .findFirst()
            .orElseThrow()
            .getDomAttribute("data-case-id");
    String otherRow = "#case-due li[data-case-id='" + other + "']";
    browser.until(d -> !browser.all(otherRow + " button[data-reassign]").isEmpty(), LIVE);
    browser.click(otherRow + " button[data-reassign]");
    browser.until(
        d -> {
          try {
            return !d.findElement(By.cssSelector(otherRow)).getText().contains("urban_management");
          } catch (RuntimeException redrawn) {
            return false;
          }
        },
        LIVE);
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM audit_log WHERE actor = 'coord-dp' AND action = 'reassign_case'"
                    + " AND target = ?",
                other))
        .isEqualTo(1);
    browser.until(
        d ->
            "1"
                .equals(
                    browser.text(
                        "#case-rate-table tr[data-rate-key='DP'] [data-field='resolved']")),
        LIVE);
    JsonObject dp =
        f.client
            .get("/api/v1/cases/stats?by=district", f.token("coord-dp"))
            .json()
            .getJsonArray("items")
            .getJsonObject(0);
    assertThat(dp.getLong("total")).isEqualTo(2);
    assertThat(browser.text("#case-rate-table tr[data-rate-key='DP'] [data-field='total']"))
        .isEqualTo(String.valueOf(dp.getLong("total")));
    assertThat(
            browser.text("#case-rate-table tr[data-rate-key='DP'] [data-field='resolution_rate']"))
        .isEqualTo(String.format(Locale.ROOT, "%.2f", dp.getDouble("resolution_rate")));
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM grid_case WHERE case_id = ? AND state = 'closed' AND rating = 4",
                caseId))
        .isEqualTo(1);
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM audit_log WHERE actor = 'coord-dp' AND action = 'case_transition'"
                    + " AND target = ?",
                caseId))
        .isEqualTo(4);
    assertThat(browser.pageErrors()).isEmpty();
  }

  @Test
  @Order(5)
  @DisplayName(
      "a viewer sees the incident and its plan but no trigger or move button, and a direct trigger call is 403")
  void viewerCannotTrigger() throws Exception {
    browser.click("#logout");
    browser.login("viewer", ApiFixture.PASSWORD);
    browser.until(d -> !browser.all("#feed li[data-id='" + INCIDENT + "']").isEmpty(), LIVE);
    browser.click("#feed li[data-id='" + INCIDENT + "']");
    browser.until(d -> browser.text("#incident-plan") != null, LIVE);
    assertThat(browser.text("#incident-evidence")).contains("DP-WL-00017");
    assertThat(browser.driver.findElements(By.id("trigger-plan"))).isEmpty();
    // Who handled what shows to everyone; the moves only to those who may make them.
    assertThat(textContent("#incident-lifecycle")).contains("closed by coord-dp");
    assertThat(browser.all("button[data-move-kind]")).isEmpty();
    assertThat(browser.driver.findElement(By.id("incident-comment")).isDisplayed()).isFalse();
    assertThat(browser.text("#trigger-note")).contains("coordinator");
    // The viewer sees the live city too: every district is in a viewer's scope.
    assertThat(browser.text("#user-role")).contains("viewer");
    browser.until(d -> browser.all(".tile").size() == ApiFixture.SEEDS.districts().size(), LIVE);
    browser.until(
        d -> !"–".equals(browser.text(".tile[data-district='NS'] [data-field='index']")), LIVE);
    assertThat(browser.all("#feed li[data-id='wall-a-ns']")).isNotEmpty();

    ApiClient.Reply refused =
        f.client.post(
            "/api/v1/responses",
            f.token("viewer"),
            new JsonObject().put("request_id", "wall-viewer-direct").put("incident_id", INCIDENT));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(
            TestData.count(
                f.services.dataSource(),
                "SELECT count(*) FROM audit_log WHERE actor = 'viewer' AND request_id = 'wall-viewer-direct' "
                    + "AND outcome = 'denied'"))
        .isEqualTo(1);
    assertThat(browser.pageErrors()).isEmpty();
  }

  @Test
  @Order(6)
  @DisplayName(
      "the send-command form: hidden from a viewer; a coordinator sends one command to one device of"
          + " their district and the run panel shows it done")
  void coordinatorSendsOneCommand() throws Exception {
    // Still the viewer of the test before: no form.
    assertThat(browser.driver.findElement(By.id("device-command")).isDisplayed()).isFalse();
    browser.click("#logout");
    browser.login("coord-dp", ApiFixture.PASSWORD);
    String device = DeviceCommandIT.device(f, "DP", "message_sign");
    try (SimActuators actuators = new SimActuators(f.services, "DP", "50ms", "0")) {
      browser.until(
          d -> !browser.all("#device-command-device option[value='" + device + "']").isEmpty(),
          LIVE);
      new org.openqa.selenium.support.ui.Select(
              browser.driver.findElement(By.id("device-command-device")))
          .selectByValue(device);
      new org.openqa.selenium.support.ui.Select(
              browser.driver.findElement(By.id("device-command-action")))
          .selectByValue("display");
      browser.driver.findElement(By.id("device-command-params")).sendKeys("text=Wall test");
      browser.click("#device-command-submit");
      browser.until(
          d ->
              browser.text("#run-plan") != null
                  && browser.text("#run-plan").contains("single command")
                  && "completed".equals(browser.text("#run-state")),
          Duration.ofSeconds(40));
      browser.until(d -> !browser.all("#run-targets li[data-state='done']").isEmpty(), LIVE);
      assertThat(browser.all("#run-targets li")).hasSize(1);
      assertThat(browser.text("#run-targets li")).contains(device).contains("display");
      assertThat(actuators.executions(device)).isEqualTo(1);
    }
    assertThat(
            TestData.count(
                f.services.dataSource(),
                "SELECT count(*) FROM command c JOIN plan_run r USING (run_id)"
                    + " WHERE r.kind = 'single' AND r.actor = 'coord-dp' AND c.device_id = ?"
                    + " AND c.params ->> 'text' = 'Wall test'",
                device))
        .isEqualTo(1);
    assertThat(browser.pageErrors()).isEmpty();
  }

  /**
   * The text an element holds (its textContent: also where a scrolled list hides it), "" if absent.
   */
  private static String textContent(String css) {
    Object text =
        browser.driver.executeScript(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : ''", css);
    return String.valueOf(text);
  }

  private static long renders() {
    return ((Number) browser.driver.executeScript("return window.__wallRenders || 0")).longValue();
  }

  private static void publishSnapshot(
      String district,
      double index,
      double rainfall,
      double waterLevel,
      int openAlerts,
      int openIncidents)
      throws Exception {
    long end = windowEnd;
    DistrictSnapshot snapshot =
        DistrictSnapshot.newBuilder()
            .setDistrict(district)
            .setWindowStartMs(end - 10_000)
            .setWindowEndMs(end)
            .setSituationIndex(index)
            .setOnlineRate(0.97)
            .setDevicesOnline(970)
            .setDevicesTotal(1000)
            .addMetrics(metric("rainfall_mm_h", rainfall))
            .addMetrics(metric("water_level_pct", waterLevel))
            .addMetrics(metric("pm25", 30 + (end / 10_000 % 7)))
            .addMetrics(metric("traffic_speed", 38 - rainfall / 4))
            .putSubIndices("environment", Math.max(0, 100 - rainfall * 1.5))
            .putSubIndices("traffic", 70)
            .putSubIndices("safety", openIncidents > 0 ? 55 : 90)
            .putSubIndices("infrastructure", Math.max(0, 100 - Math.max(0, waterLevel - 70) * 2.5))
            .putCameraEventsByType("road_flooding", (long) Math.max(0, waterLevel - 80))
            .putCameraEventsByType("illegal_parking", 6)
            .putCameraEventsByType("traffic_accident", openIncidents)
            .setOpenAlerts(openAlerts)
            .setOpenIncidents(openIncidents)
            .setGeneratedAtMs(end + 500)
            .build();
    publish("city/v1/" + district + "/live", snapshot.toByteArray());
  }

  private static MetricStats metric(String name, double mean) {
    return MetricStats.newBuilder()
        .setMetric(name)
        .setCount(40)
        .setMin(mean * 0.8)
        .setMax(mean * 1.2)
        .setMean(mean)
        .setSum(mean * 40)
        .build();
  }

  private static void publishAlert(
      String id, String metric, Severity severity, double value, double threshold, long raisedAt)
      throws Exception {
    TestData.exec(
        f.services.dataSource(),
        """
        INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold, raised_at)
        VALUES (?, ?, 'DP', ?, ?, 'raised', ?, ?, ?)""",
        id,
        id.substring(0, id.indexOf(':')),
        metric,
        severity.name().replace("SEVERITY_", "").toLowerCase(),
        value,
        threshold,
        Instant.ofEpochMilli(raisedAt));
    publish(
        "city/v1/DP/alert",
        Alert.newBuilder()
            .setAlertId(id)
            .setRuleId(id.substring(0, id.indexOf(':')))
            .setDistrict("DP")
            .setMetric(metric)
            .setSeverity(severity)
            .setState(AlertState.ALERT_STATE_RAISED)
            .setValue(value)
            .setThreshold(threshold)
            .setRaisedAtMs(raisedAt)
            .setWindowEndMs(raisedAt)
            .build()
            .toByteArray());
  }

  private static Incident floodIncident(long now) {
    return Incident.newBuilder()
        .setIncidentId(INCIDENT)
        .setPatternId("flood")
        .setDistrict("DP")
        .setSeverity(Severity.SEVERITY_CRITICAL)
        .setStartedAtMs(now - 60_000)
        .setDetectedAtMs(now)
        .setSummary("Urban flooding: water over the danger level while it pours")
        .setResponsePlanId("flood_response")
        .addEvidence(evidence("DP-RG-00004", 11, now - 50_000, "reading", "rainfall_mm_h", 64.0))
        .addEvidence(evidence("DP-WL-00017", 42, now - 30_000, "reading", "water_level_pct", 104.0))
        .addEvidence(evidence("DP-CAM-00121", 7, now - 10_000, "camera", "road_flooding", 0.93))
        .build();
  }

  private static Evidence evidence(
      String device, long seq, long at, String kind, String what, double value) {
    return Evidence.newBuilder()
        .setDeviceId(device)
        .setSeq(seq)
        .setEventTimeMs(at)
        .setKind(kind)
        .setWhat(what)
        .setValue(value)
        .setPosition(Position.newBuilder().setLat(DP.lat() + 0.004).setLon(DP.lon() - 0.003))
        .build();
  }

  /** The evidence as the stream job stores it: the one rendering of results. */
  private static String evidenceAsStored(long now) {
    return ResultJson.encode(ResultJson.evidence(floodIncident(now).getEvidenceList()));
  }

  /**
   * Not retained: the broker is shared with other test classes; the API keeps the latest snapshot
   * per district.
   */
  private static void publish(String topic, byte[] payload) throws Exception {
    CompletableFuture<Throwable> sent = new CompletableFuture<>();
    mqtt.publish(topic, payload, 1, false, sent::complete);
    assertThat(sent.get(10, TimeUnit.SECONDS)).as("publish to %s", topic).isNull();
  }
}
