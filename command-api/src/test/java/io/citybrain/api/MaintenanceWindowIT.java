package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Principal;
import io.citybrain.api.db.Db;
import io.citybrain.api.escalate.Escalator;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.AlertState;
import io.citybrain.proto.v1.Severity;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Maintenance windows on the real API, database and broker: a raise in a window is stored muted
 * (suppressed_by), not pushed live, not sent to webhooks, not escalated; after the window it is
 * normal again; the routes refuse what they must.
 */
@ExtendWith(CityServicesExtension.class)
class MaintenanceWindowIT {
  private static ApiFixture f;
  private static MqttConnection job;
  private static Vertx vertx;
  private static Db db;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, c -> {});
    job =
        PahoConnection.connect(
            MqttSettings.builder(services.mqttUrl(), services.uniqueId("citybrain-job-mw"))
                .login(services.login(Principal.job()))
                .build());
    vertx = Vertx.vertx();
    db = new Db(vertx, services.dataSource(), 2);
  }

  @AfterAll
  static void stop() {
    if (job != null) {
      job.close();
    }
    if (db != null) {
      db.close();
    }
    if (vertx != null) {
      vertx.close();
    }
    if (f != null) {
      f.close();
    }
  }

  @Test
  @DisplayName(
      "a raise in a rule's or a district's window is stored muted: not pushed, not notified, not"
          + " escalated; after the window ends a raise is normal")
  void mutedRaises() throws Exception {
    String operator = f.token("operator");
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    JsonObject ruleWindow =
        create(
            operator,
            new JsonObject()
                .put("scope_kind", "rule")
                .put("scope_value", "pm25_high")
                .put("district", "DP")
                .put("ends_at", now.plus(Duration.ofHours(1)).toString())
                .put("reason", "AQ sensors recalibration"));
    long ruleWindowId = ruleWindow.getLong("id");
    assertThat(ruleWindow.getBoolean("active")).isTrue();
    assertThat(ruleWindow.getString("created_by")).isEqualTo("operator");
    JsonObject districtWindow =
        create(
            operator,
            new JsonObject()
                .put("scope_kind", "district")
                .put("district", "FT")
                .put("ends_at", now.plus(Duration.ofHours(1)).toString())
                .put("reason", "network works"));
    assertThat(districtWindow.getString("scope_value")).isEqualTo("FT");

    // Raised after the windows started (they start when created).
    Instant raisedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    try (LiveClient live = new LiveClient(f.api.url(), f.token("viewer"), "DP", "FT", "NS")) {
      // Muted: the rule in its district, every rule in the district's window.
      raise("mw-muted-1", "pm25_high", "DP", "critical", raisedAt);
      raise("mw-muted-2", "noise_high", "FT", "critical", raisedAt);
      // Not muted: another rule in DP; the same rule in another district.
      raise("mw-open-1", "noise_high", "DP", "critical", raisedAt);
      raise("mw-open-2", "pm25_high", "NS", "critical", raisedAt);
      // Dated before the FT window started (a late raise): not muted.
      Instant beforeWindow = Instant.parse(districtWindow.getString("starts_at")).minusSeconds(60);
      raise("mw-open-3", "pm25_high", "FT", "critical", beforeWindow);
      // The open raises published after the muted ones (same topics, in order): once they are
      // pushed, the muted ones were handled.
      awaitAlertFrame(live, "mw-open-1");
      awaitAlertFrame(live, "mw-open-2");
      awaitAlertFrame(live, "mw-open-3");
      assertThat(live.frames.stream().filter(fr -> alertFrame(fr, "mw-muted-1"))).isEmpty();
      assertThat(live.frames.stream().filter(fr -> alertFrame(fr, "mw-muted-2"))).isEmpty();
    }

    DataSource ds = f.services.dataSource();
    assertThat(suppressedBy("mw-muted-1")).isEqualTo(ruleWindowId);
    assertThat(suppressedBy("mw-muted-2")).isEqualTo(districtWindow.getLong("id"));
    assertThat(suppressedBy("mw-open-1")).isNull();
    assertThat(suppressedBy("mw-open-2")).isNull();
    assertThat(suppressedBy("mw-open-3")).isNull();
    assertThat(raisedEvents("mw-muted-1")).isZero();
    assertThat(raisedEvents("mw-muted-2")).isZero();
    assertThat(raisedEvents("mw-open-1")).isEqualTo(1);
    assertThat(raisedEvents("mw-open-2")).isEqualTo(1);

    // The escalator, 6 min on (past the 5 min deadline, short of the 10 min no-data resolve): the
    // open critical alerts escalate, the muted ones do not.
    new Escalator(db, ApiFixture.SEEDS.escalation(), fixed(raisedAt.plus(Duration.ofMinutes(6))))
        .scan()
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    assertThat(escalations("mw-open-1")).isEqualTo(1);
    assertThat(escalations("mw-muted-1")).isZero();
    assertThat(escalations("mw-muted-2")).isZero();
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM notification_event WHERE item_id IN ('mw-muted-1', 'mw-muted-2')"))
        .isZero();

    // Alert lists carry the mute and filter by it.
    JsonArray muted =
        f.client.get("/api/v1/alerts?suppressed=true&district=DP", f.token("viewer")).items();
    assertThat(muted.stream().map(a -> ((JsonObject) a).getString("alert_id")))
        .containsExactly("mw-muted-1");
    assertThat(muted.getJsonObject(0).getLong("suppressed_by")).isEqualTo(ruleWindowId);
    assertThat(muted.getJsonObject(0).getBoolean("suppressed")).isTrue();
    JsonArray open =
        f.client.get("/api/v1/alerts?suppressed=false&district=DP", f.token("viewer")).items();
    assertThat(open.stream().map(a -> ((JsonObject) a).getString("alert_id")))
        .contains("mw-open-1")
        .doesNotContain("mw-muted-1");
    JsonArray active = f.client.get("/api/v1/maintenance-windows?active=true", operator).items();
    assertThat(active).hasSize(2);
    assertThat(
            f.client.get("/api/v1/maintenance-windows?district=DP", operator).items().stream()
                .map(w -> (JsonObject) w)
                .filter(w -> w.getLong("id") == ruleWindowId)
                .findFirst()
                .orElseThrow()
                .getInteger("suppressed_alerts"))
        .isEqualTo(1);

    // Ended now (audited): a raise after it is normal again.
    ApiClient.Reply ended =
        f.client.send("DELETE", "/api/v1/maintenance-windows/" + ruleWindowId, operator, null);
    assertThat(ended.status()).as(ended.text()).isEqualTo(200);
    assertThat(ended.json().getBoolean("active")).isFalse();
    assertThat(ended.json().getString("cancelled_by")).isEqualTo("operator");
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM audit_log WHERE action = 'end_maintenance_window' AND target = ?"
                    + " AND outcome = 'allowed'",
                String.valueOf(ruleWindowId)))
        .isEqualTo(1);
    assertThat(
            f.client
                .send("DELETE", "/api/v1/maintenance-windows/" + ruleWindowId, operator, null)
                .status())
        .isEqualTo(200);
    TestData.exec(
        ds, "UPDATE alert SET state = 'cleared', cleared_at = now() WHERE alert_id = 'mw-muted-1'");
    Instant after = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
    try (LiveClient live = new LiveClient(f.api.url(), f.token("viewer"), "DP")) {
      raise("mw-after-1", "pm25_high", "DP", "critical", after);
      awaitAlertFrame(live, "mw-after-1");
    }
    assertThat(suppressedBy("mw-after-1")).isNull();
    assertThat(raisedEvents("mw-after-1")).isEqualTo(1);
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM audit_log WHERE action = 'create_maintenance_window'"
                    + " AND outcome = 'allowed'"))
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName(
      "window routes refuse viewers, other districts, a bad span, unknown rules and districts, device"
          + " scope; 404 for an unknown window")
  void refusals() throws Exception {
    Instant now = Instant.now();
    JsonObject ok =
        new JsonObject()
            .put("scope_kind", "rule")
            .put("scope_value", "pm25_high")
            .put("district", "DP")
            .put("starts_at", now.plus(Duration.ofHours(1)).toString())
            .put("ends_at", now.plus(Duration.ofHours(2)).toString())
            .put("reason", "test");
    String operator = f.token("operator");
    assertThat(post(f.token("viewer"), ok).status()).isEqualTo(403);
    assertThat(post(f.token("coord-ns"), ok).status()).isEqualTo(403);
    assertThat(f.client.get("/api/v1/maintenance-windows", f.token("viewer")).status())
        .isEqualTo(403);
    assertRefused(
        post(operator, ok.copy().put("ends_at", now.plus(Duration.ofMinutes(30)).toString())),
        "ends_at");
    assertRefused(
        post(operator, ok.copy().put("ends_at", now.plus(Duration.ofDays(8)).toString())),
        "ends_at");
    assertRefused(post(operator, ok.copy().put("scope_value", "no_such_rule")), "scope_value");
    assertRefused(post(operator, ok.copy().put("district", "ZZ")), "district");
    assertRefused(
        post(operator, ok.copy().put("scope_kind", "device").put("scope_value", "DP-BAR-0001")),
        "scope_kind");
    assertRefused(post(operator, ok.copy().put("ends_at", "tomorrow")), "ends_at");
    assertThat(
            f.client.send("DELETE", "/api/v1/maintenance-windows/424242", operator, null).status())
        .isEqualTo(404);
    ApiClient.Reply created = post(f.token("coord-dp"), ok);
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    long id = created.json().getLong("id");
    assertThat(
            f.client
                .send("DELETE", "/api/v1/maintenance-windows/" + id, f.token("coord-ns"), null)
                .status())
        .isEqualTo(403);
    // Ended before it started: empty, it mutes nothing.
    ApiClient.Reply ended =
        f.client.send("DELETE", "/api/v1/maintenance-windows/" + id, f.token("coord-dp"), null);
    assertThat(ended.status()).as(ended.text()).isEqualTo(200);
    assertThat(ended.json().getString("ends_at")).isEqualTo(ended.json().getString("starts_at"));
    // Refusals are audited.
    assertThat(
            TestData.count(
                f.services.dataSource(),
                "SELECT count(*) FROM audit_log WHERE action LIKE '%aintenance%' AND outcome <> 'allowed'"))
        .isGreaterThanOrEqualTo(8);
  }

  private static JsonObject create(String token, JsonObject body) throws Exception {
    ApiClient.Reply reply = post(token, body);
    assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    return reply.json();
  }

  private static ApiClient.Reply post(String token, JsonObject body) throws Exception {
    return f.client.post("/api/v1/maintenance-windows", token, body);
  }

  private static void assertRefused(ApiClient.Reply reply, String field) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(400);
    assertThat(reply.json().getString("field")).as(reply.text()).isEqualTo(field);
  }

  /** A raise as the job makes it: the row inserted, then the alert published on its topic. */
  private static void raise(
      String id, String rule, String district, String severity, Instant raisedAt) throws Exception {
    TestData.exec(
        f.services.dataSource(),
        """
        INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold, raised_at)
        VALUES (?, ?, ?, 'pm25', ?, 'raised', 80, 75, ?)""",
        id,
        rule,
        district,
        severity,
        raisedAt);
    Alert alert =
        Alert.newBuilder()
            .setAlertId(id)
            .setRuleId(rule)
            .setDistrict(district)
            .setMetric("pm25")
            .setSeverity(Severity.SEVERITY_CRITICAL)
            .setState(AlertState.ALERT_STATE_RAISED)
            .setValue(80)
            .setThreshold(75)
            .setRaisedAtMs(raisedAt.toEpochMilli())
            .build();
    CompletableFuture<Throwable> sent = new CompletableFuture<>();
    job.publish("city/v1/" + district + "/alert", alert.toByteArray(), 1, false, sent::complete);
    assertThat(sent.get(10, TimeUnit.SECONDS)).isNull();
  }

  private static boolean alertFrame(JsonObject frame, String alertId) {
    return "alert".equals(frame.getString("type"))
        && frame.getJsonObject("data") != null
        && alertId.equals(frame.getJsonObject("data").getString("alert_id"));
  }

  private static void awaitAlertFrame(LiveClient live, String alertId) {
    try {
      live.await(fr -> alertFrame(fr, alertId), 10_000);
    } catch (RuntimeException e) {
      throw new AssertionError("no alert frame for " + alertId + " among " + live.frames, e);
    }
  }

  private static Long suppressedBy(String alertId) throws Exception {
    long n =
        TestData.count(
            f.services.dataSource(),
            "SELECT count(*) FROM alert WHERE alert_id = ? AND suppressed_by IS NOT NULL",
            alertId);
    if (n == 0) {
      return null;
    }
    return TestData.count(
        f.services.dataSource(), "SELECT suppressed_by FROM alert WHERE alert_id = ?", alertId);
  }

  private static long raisedEvents(String alertId) throws Exception {
    return TestData.count(
        f.services.dataSource(),
        "SELECT count(*) FROM notification_event WHERE type = 'alert.raised' AND item_id = ?",
        alertId);
  }

  private static long escalations(String alertId) throws Exception {
    return TestData.count(
        f.services.dataSource(),
        "SELECT count(*) FROM work_event WHERE kind = 'alert' AND item_id = ? AND action = 'escalated'",
        alertId);
  }

  private static Clock fixed(Instant at) {
    return Clock.fixed(at, ZoneOffset.UTC);
  }
}
