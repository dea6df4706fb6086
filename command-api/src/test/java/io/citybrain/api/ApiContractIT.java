package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.api.notify.WebhookSettings;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.MetricStats;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.RetainedTopics;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The read side, auth and the error contract on the real broker and database; every response is
 * checked against the OpenAPI document (ApiClient), and the last test checks that every operation
 * of the document was exercised.
 */
@ExtendWith(CityServicesExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiContractIT {
  private static ApiFixture f;
  private static final Instant HOUR =
      Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);

  @BeforeAll
  static void start(TestServices services) throws Exception {
    // Pictures retained on the broker by other runs (the stream job's tests, a benchmark) would
    // stand in for this test's device status: clear them before the API subscribes.
    RetainedTopics.clearLive(services.mqttUrl(), ApiFixture.SEEDS.districtCodes());
    // Webhooks to this machine are allowed here: the contract test's subscription names one.
    f =
        ApiFixture.start(
            services, c -> c.webhooks(WebhookSettings.DEFAULT.withAllowHosts(Set.of("127.0.0.1"))));
    var ds = services.dataSource();
    TestData.alert(ds, "a-1", "DP", "critical", "raised", Instant.now().minusSeconds(60));
    TestData.alert(ds, "a-2", "DP", "low", "raised", Instant.now().minusSeconds(30));
    TestData.alert(ds, "a-3", "NS", "high", "cleared", Instant.now().minusSeconds(90));
    TestData.incident(ds, "inc-1", "DP", "flood_response", 22.59, 114.48);
    for (int i = 0; i < 6; i++) {
      TestData.metric(ds, "DP", "pm25", 10, HOUR.plusSeconds(i * 10L), 4, 40.0 + i);
    }
    for (int i = 0; i < 120; i++) {
      TestData.metric(ds, "DP", "pm25", 60, HOUR.plusSeconds(i * 60L), 10, 100.0);
    }
    TestData.accounting(ds, "DP", "received", "", 100);
    TestData.accounting(ds, "DP", "stored", "", 90);
    TestData.accounting(ds, "DP", "duplicate", "", 6);
    TestData.accounting(ds, "DP", "rejected", "out_of_range", 3);
    TestData.accounting(ds, "DP", "rejected", "future", 1);
    TestData.exec(
        ds,
        "INSERT INTO device_status (device_id, online, last_seen_at, changed_at) "
            + "SELECT device_id, true, now(), now() FROM device WHERE district = 'FT' AND kind = 'pump'");
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  @Order(1)
  @DisplayName(
      "login answers a token for the right password, 401 for a wrong one and 400 naming a missing field")
  void login() throws Exception {
    assertThat(
            f.client
                .post(
                    "/api/v1/auth/login",
                    null,
                    new JsonObject()
                        .put("username", "viewer")
                        .put("password", "wrong-password-123"))
                .status())
        .isEqualTo(401);
    ApiClient.Reply missing =
        f.client.post("/api/v1/auth/login", null, new JsonObject().put("username", "viewer"));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().getString("field")).isEqualTo("password");
    assertThat(f.client.post("/api/v1/auth/login", null, "not json").json().getString("field"))
        .isEqualTo("body");
    ApiClient.Reply ok =
        f.client.post(
            "/api/v1/auth/login",
            null,
            new JsonObject().put("username", "coord-dp").put("password", ApiFixture.PASSWORD));
    assertThat(ok.json().getString("role")).isEqualTo("coordinator");
    assertThat(ok.json().getJsonArray("districts")).containsExactly("DP");
    assertThat(f.client.get("/api/v1/districts", null).status()).isEqualTo(401);
    assertThat(f.client.get("/api/v1/districts", "not.a.token").status()).isEqualTo(401);
    // A token signed with another key is refused: there is no shared default key.
    String forged = ok.json().getString("token");
    forged =
        forged.substring(0, forged.lastIndexOf('.') + 1)
            + "AAAA"
            + forged.substring(forged.lastIndexOf('.') + 5);
    assertThat(f.client.get("/api/v1/districts", forged).status()).isEqualTo(401);
  }

  @Test
  @Order(2)
  @DisplayName("districts carry the snapshot last published on their live topic")
  void districts() throws Exception {
    String viewer = f.token("viewer");
    DistrictSnapshot snapshot =
        DistrictSnapshot.newBuilder()
            .setDistrict("DP")
            .setWindowStartMs(1_000)
            .setWindowEndMs(11_000)
            .setSituationIndex(42.5)
            .setOnlineRate(0.9)
            .setDevicesOnline(90)
            .setDevicesTotal(100)
            .addMetrics(
                MetricStats.newBuilder()
                    .setMetric("pm25")
                    .setCount(3)
                    .setMin(1)
                    .setMax(3)
                    .setMean(2)
                    .setSum(6)
                    .setP95(3))
            .putSubIndices("environment", 30)
            .putCameraEventsByType("illegal_parking", 4)
            .setGeneratedAtMs(12_000)
            .build();
    try (MqttConnection mqtt =
        PahoConnection.connect(
            MqttSettings.of(f.services.mqttUrl(), f.services.uniqueId("wall-test"))
                .withLogin(f.services.login(Principal.job())))) {
      CompletableFuture<Throwable> sent = new CompletableFuture<>();
      mqtt.publish("city/v1/DP/live", snapshot.toByteArray(), 1, false, sent::complete);
      assertThat(sent.get(10, TimeUnit.SECONDS)).isNull();
    }
    JsonObject dp =
        await("DP with the published snapshot")
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> f.client.get("/api/v1/districts/DP", viewer).json(),
                d ->
                    d.getJsonObject("snapshot") != null
                        && d.getJsonObject("snapshot").getDouble("situation_index") == 42.5);
    assertThat(
            dp.getJsonObject("snapshot").getJsonArray("metrics").getJsonObject(0).getDouble("p95"))
        .isEqualTo(3.0);
    JsonArray all = f.client.get("/api/v1/districts", viewer).items();
    assertThat(all).hasSize(ApiFixture.SEEDS.districts().size());
    ApiClient.Reply unknown = f.client.get("/api/v1/districts/XX", viewer);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("reason")).isEqualTo("district 'XX' does not exist");
  }

  @Test
  @Order(3)
  @DisplayName(
      "the city summary counts open alerts and incidents, lists the most severe alerts first")
  void summary() throws Exception {
    JsonObject summary = f.client.get("/api/v1/summary", f.token("viewer")).json();
    assertThat(summary.getJsonObject("city").getLong("open_alerts")).isEqualTo(2);
    assertThat(summary.getJsonObject("city").getLong("open_incidents")).isEqualTo(1);
    assertThat(summary.getJsonArray("top_alerts"))
        .extracting(a -> ((JsonObject) a).getString("alert_id"))
        .containsExactly("a-1", "a-2");
    JsonObject ft =
        summary.getJsonArray("districts").stream()
            .map(JsonObject.class::cast)
            .filter(d -> d.getString("code").equals("FT"))
            .findFirst()
            .orElseThrow();
    long ftDevices =
        TestData.count(
            f.services.dataSource(), "SELECT count(*) FROM device WHERE district = 'FT'");
    long ftPumps =
        TestData.count(
            f.services.dataSource(),
            "SELECT count(*) FROM device WHERE district = 'FT' AND kind = 'pump'");
    assertThat(ft.getDouble("online_rate"))
        .isCloseTo((double) ftPumps / ftDevices, Offset.offset(1e-9));
    assertThat(summary.getJsonObject("cases").getLong("total")).isZero();
  }

  @Test
  @Order(4)
  @DisplayName(
      "metric history at 10 s, 1 min and hourly resolution; bad ranges are 400 with the field")
  void history() throws Exception {
    String viewer = f.token("viewer");
    String range = "&from=" + HOUR + "&to=" + HOUR.plus(2, ChronoUnit.HOURS);
    JsonObject tenSeconds =
        f.client.get("/api/v1/districts/DP/metrics/pm25?resolution=10s" + range, viewer).json();
    assertThat(tenSeconds.getJsonArray("points")).hasSize(6);
    assertThat(tenSeconds.getString("unit")).isNotBlank();
    assertThat(
            f.client
                .get("/api/v1/districts/DP/metrics/pm25?resolution=1m" + range, viewer)
                .json()
                .getJsonArray("points"))
        .hasSize(120);
    JsonArray hourly =
        f.client
            .get("/api/v1/districts/DP/metrics/pm25?resolution=1h" + range, viewer)
            .json()
            .getJsonArray("points");
    assertThat(hourly).hasSize(2);
    assertThat(hourly.getJsonObject(0).getLong("count")).isEqualTo(600);
    assertThat(hourly.getJsonObject(0).getDouble("sum")).isEqualTo(6000.0);
    ApiClient.Reply bad = f.client.get("/api/v1/districts/DP/metrics/pm25?resolution=5m", viewer);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("field")).isEqualTo("resolution");
    ApiClient.Reply tooLong =
        f.client.get(
            "/api/v1/districts/DP/metrics/pm25?resolution=10s&from=2020-01-01T00:00:00Z", viewer);
    assertThat(tooLong.json().getString("field")).isEqualTo("from");
    assertThat(
            f.client
                .get("/api/v1/districts/DP/metrics/pm25?from=yesterday", viewer)
                .json()
                .getString("reason"))
        .startsWith("must be an ISO-8601 instant");
    assertThat(f.client.get("/api/v1/districts/DP/metrics/nope", viewer).status()).isEqualTo(404);
  }

  @Test
  @Order(5)
  @DisplayName(
      "devices filter and page; alerts, incidents and accounting read back what the pipeline wrote")
  void lists() throws Exception {
    String viewer = f.token("viewer");
    JsonObject pumps =
        f.client.get("/api/v1/devices?district=DP&kind=pump&limit=10&offset=5", viewer).json();
    assertThat(pumps.getLong("total")).isEqualTo(30);
    assertThat(pumps.getJsonArray("items")).hasSize(10);
    assertThat(pumps.getJsonArray("items").getJsonObject(0).getString("device_id"))
        .isEqualTo("DP-PMP-00006");
    assertThat(
            f.client.get("/api/v1/devices?district=FT&online=true", viewer).json().getLong("total"))
        .isEqualTo(
            TestData.count(
                f.services.dataSource(),
                "SELECT count(*) FROM device WHERE district = 'FT' AND kind = 'pump'"));
    ApiClient.Reply badLimit = f.client.get("/api/v1/devices?limit=0", viewer);
    assertThat(badLimit.json().getString("field")).isEqualTo("limit");
    assertThat(badLimit.json().getString("reason")).isEqualTo("must be within 1..1000, was 0");
    assertThat(f.client.get("/api/v1/devices?online=maybe", viewer).json().getString("field"))
        .isEqualTo("online");
    assertThat(f.client.get("/api/v1/alerts?district=DP&state=raised", viewer).items()).hasSize(2);
    assertThat(f.client.get("/api/v1/alerts?state=open", viewer).status()).isEqualTo(400);
    assertThat(f.client.get("/api/v1/incidents?district=DP", viewer).items()).hasSize(1);
    assertThat(f.client.get("/api/v1/incidents/inc-1", viewer).json().getString("response_plan_id"))
        .isEqualTo("flood_response");
    assertThat(f.client.get("/api/v1/incidents/nope", viewer).status()).isEqualTo(404);
    JsonObject dp = f.client.get("/api/v1/accounting?district=DP", viewer).items().getJsonObject(0);
    assertThat(dp.getLong("rejected")).isEqualTo(4);
    assertThat(dp.getJsonObject("rejected_by_reason").getLong("out_of_range")).isEqualTo(3);
    assertThat(dp.getBoolean("balanced")).isTrue();
    assertThat(f.client.get("/api/v1/accounting?district=ZZ", viewer).status()).isEqualTo(400);
  }

  @Test
  @Order(6)
  @DisplayName("only admins create users and read the audit; a user cannot raise its own role")
  void usersAndAudit() throws Exception {
    JsonObject user =
        new JsonObject()
            .put("username", "newbie")
            .put("password", "a-long-enough-secret")
            .put("role", "admin");
    assertThat(f.client.post("/api/v1/users", f.token("coord-dp"), user).status()).isEqualTo(403);
    assertThat(
            f.client
                .post("/api/v1/users", f.token("admin"), user.copy().put("role", "king"))
                .json()
                .getString("field"))
        .isEqualTo("role");
    assertThat(
            f.client
                .post(
                    "/api/v1/users",
                    f.token("admin"),
                    user.copy().put("districts", new JsonArray().add("XX")))
                .json()
                .getString("field"))
        .isEqualTo("districts");
    assertThat(
            f.client
                .post("/api/v1/users", f.token("admin"), user.copy().put("role", "viewer"))
                .status())
        .isEqualTo(201);
    ApiClient.Reply changed =
        f.client.send(
            "PATCH",
            "/api/v1/users/newbie",
            f.token("admin"),
            new JsonObject().put("role", "operator").encode());
    assertThat(changed.json().getString("role")).isEqualTo("operator");
    assertThat(
            f.client
                .send("PATCH", "/api/v1/users/nobody", f.token("admin"), "{\"disabled\": true}")
                .status())
        .isEqualTo(404);
    assertThat(
            f.client
                .send("PATCH", "/api/v1/users/newbie", f.token("admin"), "{\"colour\": \"red\"}")
                .status())
        .isEqualTo(400);
    assertThat(f.client.get("/api/v1/audit", f.token("viewer")).status()).isEqualTo(403);
    JsonArray audit = f.client.get("/api/v1/audit?action=create_user", f.token("admin")).items();
    assertThat(audit.getJsonObject(0).getString("target")).isEqualTo("newbie");
    assertThat(audit.getJsonObject(0).getString("actor")).isEqualTo("admin");
    assertThat(f.client.get("/api/v1/audit?limit=abc", f.token("admin")).json().getString("field"))
        .isEqualTo("limit");
  }

  @Test
  @Order(7)
  @DisplayName("responses and cases answer their refusals per the document")
  void writeSideRefusals() throws Exception {
    String coordinator = f.token("coord-dp");
    ApiClient.Reply noRequestId =
        f.client.post(
            "/api/v1/responses",
            coordinator,
            new JsonObject().put("plan_id", "flood_response").put("district", "DP"));
    assertThat(noRequestId.json().getString("field")).isEqualTo("request_id");
    assertThat(
            f.client
                .post(
                    "/api/v1/responses",
                    coordinator,
                    new JsonObject().put("request_id", "r-404").put("incident_id", "missing"))
                .status())
        .isEqualTo(404);
    assertThat(
            f.client
                .post(
                    "/api/v1/responses",
                    f.token("coord-ns"),
                    new JsonObject().put("request_id", "r-403").put("incident_id", "inc-1"))
                .status())
        .isEqualTo(403);
    assertThat(f.client.get("/api/v1/responses?district=DP", f.token("viewer")).items()).isEmpty();
    assertThat(f.client.get("/api/v1/responses/run-x", f.token("viewer")).status()).isEqualTo(404);
    assertThat(
            f.client.post("/api/v1/responses/run-x/cancel", coordinator, new JsonObject()).status())
        .isEqualTo(404);
    assertThat(
            f.client
                .post("/api/v1/responses/run-x/cancel", f.token("viewer"), new JsonObject())
                .status())
        .isEqualTo(403);
    // Approval (#15): unknown run, a viewer, a body without approve; successes in
    // PlanRunsGuardedIT.
    assertThat(
            f.client
                .post(
                    "/api/v1/responses/run-x/approval",
                    coordinator,
                    new JsonObject().put("approve", true))
                .status())
        .isEqualTo(404);
    assertThat(
            f.client
                .post(
                    "/api/v1/responses/run-x/approval",
                    f.token("viewer"),
                    new JsonObject().put("approve", true))
                .status())
        .isEqualTo(403);
    assertThat(
            f.client
                .post("/api/v1/responses/run-x/approval", coordinator, new JsonObject())
                .status())
        .isEqualTo(400);
    assertThat(
            f.client
                .post(
                    "/api/v1/cases",
                    f.token("viewer"),
                    new JsonObject()
                        .put("district", "DP")
                        .put("subtype", "pothole")
                        .put("description", "x"))
                .json()
                .getString("field"))
        .isEqualTo("subtype");
    assertThat(f.client.get("/api/v1/cases?state=lost", f.token("viewer")).status()).isEqualTo(400);
    assertThat(f.client.get("/api/v1/cases/stats?by=planet", f.token("viewer")).status())
        .isEqualTo(400);
    assertThat(f.client.get("/api/v1/cases/gc-none", f.token("viewer")).status()).isEqualTo(404);
    assertThat(
            f.client
                .post(
                    "/api/v1/cases/gc-none/transitions",
                    f.token("operator"),
                    new JsonObject().put("to", "handling"))
                .status())
        .isEqualTo(404);
    assertThat(
            f.client
                .post(
                    "/api/v1/cases/gc-none/transitions",
                    f.token("operator"),
                    new JsonObject().put("to", "flying"))
                .status())
        .isEqualTo(400);
    assertThat(
            f.client
                .post(
                    "/api/v1/cases/gc-none/transitions",
                    f.token("viewer"),
                    new JsonObject().put("to", "handling"))
                .status())
        .isEqualTo(403);
    // Reassignment: an open case to another department, back to dispatched; refusals per the
    // document.
    ApiClient.Reply reported =
        f.client.post(
            "/api/v1/cases",
            f.token("operator"),
            new JsonObject()
                .put("district", "DP")
                .put("subtype", "garbage_overflow")
                .put("description", "bins full"));
    assertThat(reported.status()).as(reported.text()).isEqualTo(201);
    String caseId = reported.json().getString("case_id");
    String reassignment = "/api/v1/cases/" + caseId + "/reassignment";
    ApiClient.Reply reassigned =
        f.client.post(
            reassignment,
            f.token("operator"),
            new JsonObject().put("department", "street_office").put("note", "their bins"));
    assertThat(reassigned.status()).as(reassigned.text()).isEqualTo(200);
    assertThat(reassigned.json().getString("department")).isEqualTo("street_office");
    assertThat(reassigned.json().getString("state")).isEqualTo("dispatched");
    assertThat(
            f.client
                .post(
                    reassignment,
                    f.token("operator"),
                    new JsonObject().put("department", "street_office"))
                .status())
        .isEqualTo(409);
    assertThat(
            f.client
                .post(reassignment, f.token("operator"), new JsonObject().put("department", "navy"))
                .json()
                .getString("field"))
        .isEqualTo("department");
    assertThat(
            f.client
                .post(reassignment, f.token("viewer"), new JsonObject().put("department", "health"))
                .status())
        .isEqualTo(403);
    assertThat(
            f.client
                .post(
                    "/api/v1/cases/gc-none/reassignment",
                    f.token("operator"),
                    new JsonObject().put("department", "health"))
                .status())
        .isEqualTo(404);
    assertThat(
            f.client.get("/api/v1/departments", f.token("viewer")).items().stream()
                .map(d -> ((JsonObject) d).getString("id")))
        .contains("street_office", "water_affairs");
    long denied =
        TestData.count(
            f.services.dataSource(),
            "SELECT count(*) FROM audit_log WHERE action = 'trigger_response' AND outcome IN ('denied', 'invalid', 'not_found')");
    assertThat(denied).isEqualTo(3);
  }

  @Test
  @Order(8)
  @DisplayName(
      "ops routes: the document itself, Prometheus metrics with HTTP server meters, health")
  void ops() throws Exception {
    assertThat(f.client.get("/api/v1/openapi.json", null).json().getString("openapi"))
        .isEqualTo("3.1.0");
    String metrics = f.client.get("/metrics", f.token("admin")).text();
    assertThat(metrics)
        .contains("vertx_http_server_requests_total")
        .contains("citybrain_api_live_clients");
    // Nothing is stored in this test class: the pipeline is stale, the broker connection is up.
    assertThat(f.client.get("/health", null).json().getBoolean("mqtt")).isTrue();
    ApiClient.Reply nowhere =
        f.client.sendUnchecked("GET", "/api/v1/nowhere", f.token("viewer"), null);
    assertThat(nowhere.status()).isEqualTo(404);
    assertThat(nowhere.json().getString("reason")).isEqualTo("no route GET /api/v1/nowhere");
  }

  @Test
  @Order(9)
  @DisplayName(
      "the live WebSocket refuses a missing token and one in the URL, greets a bearer header and a"
          + " one-time ticket")
  void liveHandshake() throws Exception {
    String ws = f.api.url().replace("http", "ws") + "/api/v1/live";
    HttpClient http = HttpClient.newHttpClient();
    CompletableFuture<WebSocket> refused =
        http.newWebSocketBuilder().buildAsync(URI.create(ws), new Listener());
    assertThat(refused)
        .failsWithin(10, TimeUnit.SECONDS)
        .withThrowableOfType(ExecutionException.class)
        .satisfies(
            e ->
                assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
                    .isEqualTo(401));
    CompletableFuture<WebSocket> inUrl =
        http.newWebSocketBuilder()
            .buildAsync(URI.create(ws + "?access_token=" + f.token("coord-dp")), new Listener());
    assertThat(inUrl)
        .failsWithin(10, TimeUnit.SECONDS)
        .withThrowableOfType(ExecutionException.class)
        .satisfies(
            e ->
                assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
                    .isEqualTo(401));
    Listener listener = new Listener();
    WebSocket socket =
        http.newWebSocketBuilder()
            .header("Authorization", "Bearer " + f.token("coord-dp"))
            .buildAsync(URI.create(ws), listener)
            .get(10, TimeUnit.SECONDS);
    assertThat(listener.first.get(10, TimeUnit.SECONDS))
        .contains("\"type\":\"hello\"")
        .contains("\"DP\"")
        .doesNotContain("\"NS\"");
    socket.abort();
    assertThat(f.client.post("/api/v1/live/tickets", null, null).status()).isEqualTo(401);
    ApiClient.Reply ticket = f.client.post("/api/v1/live/tickets", f.token("coord-dp"), null);
    assertThat(ticket.status()).as(ticket.text()).isEqualTo(201);
    String url = ws + "?ticket=" + ticket.json().getString("ticket");
    Listener byTicket = new Listener();
    WebSocket ticketed =
        http.newWebSocketBuilder().buildAsync(URI.create(url), byTicket).get(10, TimeUnit.SECONDS);
    assertThat(byTicket.first.get(10, TimeUnit.SECONDS)).contains("\"user\":\"coord-dp\"");
    ticketed.abort();
    assertThat(http.newWebSocketBuilder().buildAsync(URI.create(url), new Listener()))
        .as("a ticket admits once")
        .failsWithin(10, TimeUnit.SECONDS)
        .withThrowableOfType(ExecutionException.class);
    f.client.covered.add("live 101");
  }

  @Test
  @Order(10)
  @DisplayName(
      "the wall's reads: pipeline health with its rate and dead letters, plans and metric kinds, the page")
  void wallReads() throws Exception {
    String viewer = f.token("viewer");
    var ds = f.services.dataSource();
    TestData.exec(
        ds,
        "INSERT INTO dead_letter (received_at, topic, district, reason, detail, payload) VALUES "
            + "(now() - interval '2 minutes', 'city/v1/DP/reading/x', 'DP', 'undecodable', 'truncated', '\\x00'::bytea),"
            + "(now() - interval '1 minute', 'city/v1/NS/reading/y', 'NS', 'out_of_range', 'pm25 -3', '\\x00'::bytea),"
            + "(now() - interval '3 hours', 'city/v1/NS/reading/z', 'NS', 'out_of_range', 'old', '\\x00'::bytea)");
    JsonObject first = f.client.get("/api/v1/pipeline", viewer).json();
    assertThat(first.getLong("received")).isEqualTo(100);
    assertThat(
            first.getLong("stored")
                + first.getLong("duplicate")
                + first.getLong("late")
                + first.getLong("rejected"))
        .isEqualTo(100);
    assertThat(first.getBoolean("balanced")).isTrue();
    assertThat(first.getValue("rate_in_per_s")).as("one sample is no rate").isNull();
    JsonObject dead = first.getJsonObject("dead_letters");
    assertThat(dead.getLong("last_hour")).isEqualTo(2);
    assertThat(dead.getJsonObject("by_reason").getMap())
        .containsOnlyKeys("undecodable", "out_of_range");
    assertThat(dead.getJsonArray("recent")).hasSize(3);
    assertThat(dead.getJsonArray("recent").getJsonObject(0).getString("reason"))
        .isEqualTo("out_of_range");
    // The meter gives a rate only over two samples at least 2 s apart: wait out that span.
    Thread.sleep(2_100);
    TestData.exec(
        ds,
        "UPDATE pipeline_accounting SET value = value + 50 WHERE district = 'DP' "
            + "AND counter IN ('received', 'stored')");
    JsonObject second = f.client.get("/api/v1/pipeline", viewer).json();
    assertThat(second.getDouble("rate_in_per_s")).isPositive().isLessThan(50.0);
    TestData.exec(
        ds,
        "UPDATE pipeline_accounting SET value = value + 1 WHERE district = 'DP' AND counter = 'received'");
    JsonObject off = f.client.get("/api/v1/pipeline", viewer).json();
    assertThat(off.getBoolean("balanced")).isFalse();
    assertThat(off.getJsonArray("unbalanced_districts")).containsExactly("DP");
    TestData.exec(
        ds,
        "UPDATE pipeline_accounting SET value = value - 51 WHERE district = 'DP' AND counter = 'received'");
    TestData.exec(
        ds,
        "UPDATE pipeline_accounting SET value = value - 50 WHERE district = 'DP' AND counter = 'stored'");

    JsonArray plans = f.client.get("/api/v1/plans", viewer).items();
    assertThat(plans).hasSize(ApiFixture.SEEDS.responsePlans().size());
    JsonObject flood = f.client.get("/api/v1/plans/flood_response", viewer).json();
    assertThat(flood.getString("name_en")).isEqualTo("Urban flood response");
    assertThat(flood.getJsonArray("commands").getJsonObject(1).getDouble("within_m"))
        .isEqualTo(3000.0);
    assertThat(flood.getJsonArray("tasks")).hasSize(3);
    assertThat(f.client.get("/api/v1/plans/nope", viewer).status()).isEqualTo(404);
    assertThat(f.client.get("/api/v1/plans", null).status()).isEqualTo(401);
    JsonArray kinds = f.client.get("/api/v1/metric-kinds", viewer).items();
    assertThat(kinds).hasSize(ApiFixture.SEEDS.metrics().size());
    assertThat(
            kinds.stream()
                .map(JsonObject.class::cast)
                .filter(k -> k.getString("metric").equals("pm25"))
                .findFirst()
                .orElseThrow()
                .getString("unit"))
        .isEqualTo("ug/m3");

    // The page and its chart library need no token: the data behind them does.
    ApiClient.Reply root = f.client.sendUnchecked("GET", "/", null, null);
    assertThat(root.status()).isEqualTo(302);
    ApiClient.Reply page = f.client.sendUnchecked("GET", "/wall/", null, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    assertThat(page.text())
        .contains("/webjars/echarts/5.1.2/echarts.min.js")
        .contains("js/main.js");
    ApiClient.Reply module = f.client.sendUnchecked("GET", "/wall/js/main.js", null, null);
    assertThat(module.contentType()).contains("javascript");
    ApiClient.Reply echarts =
        f.client.sendUnchecked("GET", "/webjars/echarts/5.1.2/echarts.min.js", null, null);
    assertThat(echarts.status()).isEqualTo(200);
    assertThat(echarts.text()).contains("echarts");
    assertThat(
            f.client.sendUnchecked("GET", "/wall/../openapi/command-api.yaml", null, null).status())
        .isEqualTo(404);
  }

  @Test
  @Order(11)
  @DisplayName(
      "work routes: an alert and an incident moved and assigned, a task looked up, refusals per the document")
  void workRoutes() throws Exception {
    String operator = f.token("operator");
    ApiClient.Reply alert = f.client.get("/api/v1/alerts/a-2", f.token("viewer"));
    assertThat(alert.json().getString("handling")).isEqualTo("new");
    assertThat(f.client.get("/api/v1/alerts/a-3", f.token("coord-dp")).status()).isEqualTo(403);
    ApiClient.Reply acked =
        f.client.post(
            "/api/v1/alerts/a-2/transitions", operator, new JsonObject().put("to", "acknowledged"));
    assertThat(acked.status()).as(acked.text()).isEqualTo(200);
    ApiClient.Reply assigned =
        f.client.send(
            "PUT",
            "/api/v1/alerts/a-2/assignee",
            operator,
            new JsonObject().put("assignee", "department:water_affairs").encode());
    assertThat(assigned.status()).as(assigned.text()).isEqualTo(200);
    assertThat(
            f.client
                .send(
                    "PUT",
                    "/api/v1/alerts/a-2/assignee",
                    operator,
                    new JsonObject().put("assignee", "water").encode())
                .json()
                .getString("field"))
        .isEqualTo("assignee");
    ApiClient.Reply incident =
        f.client.post(
            "/api/v1/incidents/inc-1/transitions",
            operator,
            new JsonObject().put("to", "resolved"));
    assertThat(incident.status()).as(incident.text()).isEqualTo(200);
    ApiClient.Reply conflict =
        f.client.post(
            "/api/v1/incidents/inc-1/transitions",
            operator,
            new JsonObject().put("to", "resolved"));
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.json().getString("state")).isEqualTo("resolved");
    assertThat(
            f.client
                .post(
                    "/api/v1/incidents/inc-1/transitions",
                    operator,
                    new JsonObject().put("to", "closed"))
                .status())
        .isEqualTo(403);
    ApiClient.Reply comment =
        f.client.post(
            "/api/v1/incidents/inc-1/comments",
            operator,
            new JsonObject().put("text", "looked at"));
    assertThat(comment.status()).as(comment.text()).isEqualTo(200);
    assertThat(
            f.client
                .post(
                    "/api/v1/incidents/inc-1/comments", operator, new JsonObject().put("text", " "))
                .json()
                .getString("field"))
        .isNotNull();
    JsonObject timeline =
        f.client.get("/api/v1/incidents/inc-1/timeline?limit=50", operator).json();
    assertThat(timeline.getJsonArray("items").stream().map(e -> ((JsonObject) e).getString("type")))
        .containsExactly("detected", "state", "comment");
    assertThat(f.client.get("/api/v1/incidents/none/timeline", operator).status()).isEqualTo(404);
    assertThat(f.client.get("/api/v1/tasks/run-x-t1", f.token("viewer")).status()).isEqualTo(404);
    ApiClient.Reply tasks =
        f.client.get("/api/v1/tasks?state=assigned&department=water_affairs", f.token("viewer"));
    assertThat(tasks.status()).as(tasks.text()).isEqualTo(200);
    assertThat(f.client.get("/api/v1/tasks?state=waiting", f.token("viewer")).status())
        .isEqualTo(400);
    assertThat(f.client.get("/api/v1/tasks?district=XX", f.token("viewer")).status())
        .isEqualTo(400);
    assertThat(f.client.get("/api/v1/tasks?district=NS", f.token("coord-dp")).status())
        .isEqualTo(403);
    assertThat(
            f.client
                .get("/api/v1/cases?state=dispatched&order=oldest&limit=5", f.token("viewer"))
                .status())
        .isEqualTo(200);
    assertThat(
            f.client
                .post(
                    "/api/v1/tasks/run-x-t1/transitions",
                    operator,
                    new JsonObject().put("to", "accepted"))
                .status())
        .isEqualTo(404);
    assertThat(
            f.client
                .post(
                    "/api/v1/tasks/run-x-t1/transitions",
                    operator,
                    new JsonObject().put("to", "acknowledged"))
                .json()
                .getString("field"))
        .isNotNull();
    ApiClient.Reply handover = f.client.get("/api/v1/handover?district=DP", f.token("viewer"));
    assertThat(handover.status()).as(handover.text()).isEqualTo(200);
    assertThat(handover.json().getJsonArray("districts").getJsonObject(0).getString("district"))
        .isEqualTo("DP");
    assertThat(f.client.get("/api/v1/handover?district=NS", f.token("coord-dp")).status())
        .isEqualTo(403);
  }

  @Test
  @Order(12)
  @DisplayName(
      "webhook routes: create (secret once), list, deliveries, delete; refusals per the document")
  void webhookRoutes() throws Exception {
    String admin = f.token("admin");
    JsonObject body =
        new JsonObject()
            .put("name", "contract")
            .put("url", "http://127.0.0.1:9/contract")
            .put("events", new JsonArray().add("alert.raised").add("incident.closed"));
    assertThat(f.client.post("/api/v1/webhooks", f.token("operator"), body).status())
        .isEqualTo(403);
    ApiClient.Reply bad =
        f.client.post("/api/v1/webhooks", admin, body.copy().put("url", "gopher://x"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("field")).isEqualTo("url");
    ApiClient.Reply created = f.client.post("/api/v1/webhooks", admin, body);
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    long id = created.json().getLong("id");
    assertThat(created.json().getString("secret")).isNotBlank();
    assertThat(created.json().getJsonArray("districts")).isEmpty();
    ApiClient.Reply listed = f.client.get("/api/v1/webhooks", admin);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.items()).hasSize(1);
    assertThat(listed.items().getJsonObject(0).containsKey("secret")).isFalse();
    ApiClient.Reply deliveries =
        f.client.get("/api/v1/webhooks/" + id + "/deliveries?limit=10", admin);
    assertThat(deliveries.status()).as(deliveries.text()).isEqualTo(200);
    assertThat(deliveries.json().getJsonObject("subscription").getLong("id")).isEqualTo(id);
    ApiClient.Reply deleted = f.client.send("DELETE", "/api/v1/webhooks/" + id, admin, null);
    assertThat(deleted.status()).as(deleted.text()).isEqualTo(200);
    assertThat(deleted.json().getBoolean("active")).isFalse();
    assertThat(f.client.send("DELETE", "/api/v1/webhooks/424242", admin, null).status())
        .isEqualTo(404);
    assertThat(f.client.get("/api/v1/webhooks/0/deliveries", admin).status()).isEqualTo(400);
  }

  @Test
  @Order(13)
  @DisplayName(
      "maintenance windows: create, list, end; a device command's refusals per the document")
  void maintenanceAndDeviceCommands() throws Exception {
    String operator = f.token("operator");
    JsonObject window =
        new JsonObject()
            .put("scope_kind", "rule")
            .put("scope_value", "pm25_high")
            .put("district", "DP")
            .put("ends_at", Instant.now().plus(1, ChronoUnit.HOURS).toString())
            .put("reason", "contract");
    assertThat(f.client.post("/api/v1/maintenance-windows", f.token("viewer"), window).status())
        .isEqualTo(403);
    ApiClient.Reply bad =
        f.client.post(
            "/api/v1/maintenance-windows", operator, window.copy().put("scope_kind", "device"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("field")).isEqualTo("scope_kind");
    ApiClient.Reply created = f.client.post("/api/v1/maintenance-windows", operator, window);
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    long id = created.json().getLong("id");
    ApiClient.Reply listed = f.client.get("/api/v1/maintenance-windows?active=true", operator);
    assertThat(listed.status()).as(listed.text()).isEqualTo(200);
    assertThat(listed.items()).hasSize(1);
    ApiClient.Reply ended =
        f.client.send("DELETE", "/api/v1/maintenance-windows/" + id, operator, null);
    assertThat(ended.status()).as(ended.text()).isEqualTo(200);
    assertThat(ended.json().getBoolean("active")).isFalse();
    assertThat(f.client.send("DELETE", "/api/v1/maintenance-windows/x", operator, null).status())
        .isEqualTo(400);
    assertThat(f.client.get("/api/v1/alerts?suppressed=false", f.token("viewer")).status())
        .isEqualTo(200);

    JsonObject command = new JsonObject().put("request_id", "contract-dc").put("action", "open");
    String coord = f.token("coord-dp");
    assertThat(f.client.post("/api/v1/devices/DP-NOPE-1/commands", coord, command).status())
        .isEqualTo(404);
    ApiClient.Reply missing =
        f.client.post(
            "/api/v1/devices/DP-NOPE-1/commands", coord, new JsonObject().put("action", "open"));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().getString("field")).isEqualTo("request_id");
  }

  @Test
  @Order(100)
  @DisplayName("every operation of the OpenAPI document was called and answered per the document")
  void everyOperationCovered() {
    Set<String> operations = new TreeSet<>();
    f.client.contract().operations().forEach(o -> operations.add(o.getOperationId()));
    Set<String> called = new TreeSet<>();
    f.client.covered.forEach(c -> called.add(c.substring(0, c.indexOf(' '))));
    // triggerResponse/transitionCase/reportCase/cancel successes are covered by LinkedResponseIT
    // and GridCaseIT with
    // the same client; here their refusals count.
    assertThat(called).containsAll(operations);
  }

  /** Collects the first text frame. */
  private static final class Listener implements WebSocket.Listener {
    final CompletableFuture<String> first = new CompletableFuture<>();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      first.complete(data.toString());
      webSocket.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      first.completeExceptionally(new CompletionException(error));
    }
  }
}
