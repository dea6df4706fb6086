package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.api.notify.WebhookSettings;
import io.citybrain.api.response.CommandKeys;
import io.citybrain.seeds.District;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Outbound webhooks end to end: events written by the job's and the API's own statements reach a
 * real HTTP receiver on 127.0.0.1 once each, signed with the subscription's secret (verified here
 * with javax.crypto, not the API's code); a receiver that fails twice gets the delivery at attempt
 * 3, one that is down ends failed after the last attempt; only admins manage subscriptions.
 */
@ExtendWith(CityServicesExtension.class)
class WebhookIT {
  private static final District DP = ApiFixture.SEEDS.district("DP").orElseThrow();
  private static final int MAX_ATTEMPTS = 3;

  /** Short waits: the backoff from 100 ms, a round every 100 ms. */
  private static final WebhookSettings SETTINGS =
      WebhookSettings.DEFAULT
          .withAllowHosts(Set.of("127.0.0.1"))
          .withMaxAttempts(MAX_ATTEMPTS)
          .withBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
          .withTimeout(Duration.ofSeconds(2))
          .withPoll(Duration.ofMillis(100));

  private static ApiFixture f;
  private static Vertx vertx;
  private static HttpServer receiver;
  private static int port;

  /** What the receiver got, per path. */
  private static final Map<String, Queue<Received>> RECEIVED = new ConcurrentHashMap<>();

  private static final AtomicInteger FLAKY = new AtomicInteger();

  record Received(MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  @BeforeAll
  static void start(TestServices services) throws Exception {
    vertx = Vertx.vertx();
    receiver =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              String path = request.path();
                              RECEIVED
                                  .computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>())
                                  .add(
                                      new Received(
                                          MultiMap.caseInsensitiveMultiMap()
                                              .addAll(request.headers()),
                                          body.toString(StandardCharsets.UTF_8)));
                              int status =
                                  path.equals("/flaky") && FLAKY.incrementAndGet() <= 2 ? 500 : 200;
                              request.response().setStatusCode(status).end("thanks");
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    port = receiver.actualPort();
    f = ApiFixture.start(services, c -> c.webhooks(SETTINGS));
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
    if (vertx != null) {
      vertx.close();
    }
  }

  @Test
  @DisplayName(
      "every kind of event reaches the receiver once, signed; other districts' and earlier events do not")
  void eachEventOnce() throws Exception {
    var ds = f.services.dataSource();
    // Before the subscription: not sent to it.
    TestData.alert(ds, "wh-before", "DP", "high", "raised", Instant.now());
    JsonObject created = create("dp", "/dp", EventList.ALL, List.of("DP"));
    String secret = created.getString("secret");
    assertThat(secret).matches("[A-Za-z0-9_-]{43}");
    create("ns", "/ns", List.of("alert.raised"), List.of("NS"));

    // The job's raise, then the same raise replayed (its ON CONFLICT DO NOTHING inserts nothing).
    TestData.alert(ds, "wh-a1", "DP", "high", "raised", Instant.now());
    TestData.exec(
        ds,
        """
        INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold, raised_at)
        VALUES ('wh-a1', 'rule-wh-a1', 'DP', 'pm25', 'high', 'raised', 80, 75, now()) ON CONFLICT DO NOTHING""");
    TestData.alert(ds, "wh-ns1", "NS", "low", "raised", Instant.now());
    // People acknowledge and resolve it; the job clears it after: one resolved event.
    assertThat(move("alerts/wh-a1", "operator", "acknowledged").status()).isEqualTo(200);
    assertThat(move("alerts/wh-a1", "operator", "resolved").status()).isEqualTo(200);
    TestData.exec(
        ds,
        "UPDATE alert SET state = 'cleared', cleared_at = now(), clear_value = 10"
            + " WHERE alert_id = 'wh-a1'");
    // The job's clear stored before its raise (the two sinks flush apart), then replayed: the alert
    // is raised and resolved once each.
    for (int i = 0; i < 2; i++) {
      TestData.exec(
          ds,
          """
          INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold, raised_at,
                             cleared_at, clear_value)
          VALUES ('wh-a2', 'rule-wh-a2', 'DP', 'pm25', 'low', 'cleared', 80, 75, now(), now(), 20)
          ON CONFLICT (alert_id) DO UPDATE SET state = 'cleared', cleared_at = EXCLUDED.cleared_at,
            clear_value = EXCLUDED.clear_value""");
    }
    // An incident from open to closed.
    TestData.incident(ds, "wh-i1", "DP", "flood_response", DP.lat(), DP.lon());
    assertThat(move("incidents/wh-i1", "operator", "resolved").status()).isEqualTo(200);
    assertThat(move("incidents/wh-i1", "coord-dp", "closed").status()).isEqualTo(200);
    // Escalation and reminders as the escalation job records them.
    for (String[] row :
        new String[][] {
          {"alert", "wh-a1", "escalated"}, {"task", "run-wh-t1", "overdue"},
          {"case", "case-wh-1", "overdue"}, {"task", "run-wh-t1", "accepted"}
        }) {
      TestData.exec(
          ds,
          "INSERT INTO work_event (kind, item_id, district, action, actor) VALUES (?, ?, 'DP', ?,"
              + " 'system')",
          row[0],
          row[1],
          row[2]);
    }

    List<String> expected =
        List.of(
            "alert.raised wh-a1",
            "alert.resolved wh-a1",
            "alert.raised wh-a2",
            "alert.resolved wh-a2",
            "incident.opened wh-i1",
            "incident.closed wh-i1",
            "alert.escalated wh-a1",
            "task.overdue run-wh-t1",
            "case.overdue case-wh-1");
    long id = created.getLong("id");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                deliveries(id).stream()
                    .filter(d -> d.getString("state").equals("delivered"))
                    .count(),
            n -> n >= expected.size());
    List<Received> got = List.copyOf(RECEIVED.getOrDefault("/dp", new ConcurrentLinkedQueue<>()));
    assertThat(got)
        .extracting(r -> r.json().getString("type") + " " + r.json().getString("item_id"))
        .containsExactlyInAnyOrderElementsOf(expected);
    for (Received r : got) {
      String timestamp = r.headers().get("X-CityBrain-Timestamp");
      assertThat(r.headers().get("X-CityBrain-Signature"))
          .isEqualTo("sha256=" + hmac(secret, timestamp + "." + r.body()));
      assertThat(Long.parseLong(timestamp))
          .isBetween(Instant.now().getEpochSecond() - 60, Instant.now().getEpochSecond() + 1);
      assertThat(r.headers().get("X-CityBrain-Event")).isEqualTo(r.json().getString("type"));
      assertThat(r.headers().get("X-CityBrain-Event-Id"))
          .isEqualTo(String.valueOf(r.json().getLong("id")));
      assertThat(r.headers().get("content-type")).isEqualTo("application/json");
      assertThat(r.json().getString("district")).isEqualTo("DP");
    }
    JsonObject raised = event(got, "alert.raised", "wh-a1").getJsonObject("data");
    assertThat(raised.getString("rule_id")).isEqualTo("rule-wh-a1");
    assertThat(raised.getString("severity")).isEqualTo("high");
    JsonObject resolved = event(got, "alert.resolved", "wh-a1").getJsonObject("data");
    assertThat(resolved.getString("resolved_by")).isEqualTo("operator");
    assertThat(resolved.getString("resolution")).isEqualTo("resolved");
    assertThat(event(got, "alert.resolved", "wh-a2").getJsonObject("data").getString("resolution"))
        .isEqualTo("cleared");
    assertThat(event(got, "incident.closed", "wh-i1").getJsonObject("data").getString("closed_by"))
        .isEqualTo("coord-dp");
    assertThat(event(got, "alert.escalated", "wh-a1").getJsonObject("data").getString("rule_id"))
        .isEqualTo("rule-wh-a1");

    // Every delivery once, at attempt 1, with its id in the header it was sent with.
    List<JsonObject> rows = deliveries(id);
    assertThat(rows).hasSize(expected.size());
    assertThat(rows).allSatisfy(d -> assertThat(d.getInteger("attempts")).isEqualTo(1));
    assertThat(got)
        .extracting(r -> Long.parseLong(r.headers().get("X-CityBrain-Delivery")))
        .containsExactlyInAnyOrderElementsOf(
            rows.stream().map(d -> d.getLong("delivery_id")).toList());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> RECEIVED.getOrDefault("/ns", new ConcurrentLinkedQueue<>()).size() == 1);
    assertThat(RECEIVED.get("/ns").peek().json().getString("item_id")).isEqualTo("wh-ns1");
    // Nothing more comes: every event is fanned out and nothing is pending.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                TestData.count(ds, "SELECT count(*) FROM notification_event WHERE NOT fanned_out")
                        == 0
                    && TestData.count(
                            ds, "SELECT count(*) FROM webhook_delivery WHERE state = 'pending'")
                        == 0);
    assertThat(RECEIVED.get("/dp")).hasSize(expected.size());
    assertThat(RECEIVED.get("/ns")).hasSize(1);
  }

  @Test
  @DisplayName(
      "a receiver that answers 500 twice gets the delivery at attempt 3, each attempt shown")
  void retriedWithBackoff() throws Exception {
    long id = create("flaky", "/flaky", List.of("alert.raised"), List.of("FT")).getLong("id");
    TestData.alert(f.services.dataSource(), "wh-ft1", "FT", "medium", "raised", Instant.now());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> deliveries(id),
            d -> d.size() == 1 && d.get(0).getString("state").equals("delivered"));
    JsonObject delivery = deliveries(id).get(0);
    assertThat(delivery.getInteger("attempts")).isEqualTo(3);
    assertThat(delivery.getInteger("last_status")).isEqualTo(200);
    assertThat(delivery.getString("delivered_at")).isNotNull();
    JsonArray history = delivery.getJsonArray("history");
    assertThat(history.stream().map(h -> ((JsonObject) h).getInteger("status")))
        .containsExactly(500, 500, 200);
    assertThat(history.getJsonObject(0).getString("error")).isEqualTo("answered 500");
    // The backoff: attempt 2 at least 100 ms after 1, attempt 3 at least 200 ms after 2.
    Instant first = Instant.parse(history.getJsonObject(0).getString("at"));
    Instant second = Instant.parse(history.getJsonObject(1).getString("at"));
    Instant third = Instant.parse(history.getJsonObject(2).getString("at"));
    assertThat(Duration.between(first, second)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    assertThat(Duration.between(second, third)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    List<Received> got = List.copyOf(RECEIVED.get("/flaky"));
    assertThat(got).hasSize(3);
    assertThat(got).extracting(Received::body).containsOnly(got.get(0).body());
    assertThat(got)
        .extracting(r -> r.headers().get("X-CityBrain-Delivery"))
        .containsOnly(String.valueOf(delivery.getLong("delivery_id")));
    assertThat(got)
        .extracting(r -> r.headers().get("X-CityBrain-Attempt"))
        .containsExactly("1", "2", "3");
  }

  @Test
  @DisplayName("a receiver that is down ends failed after the last attempt, with the reason")
  void downEndsFailed() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    JsonObject body =
        new JsonObject()
            .put("name", "down")
            .put("url", "http://127.0.0.1:" + closed + "/hook")
            .put("events", new JsonArray().add("alert.raised"))
            .put("districts", new JsonArray().add("LG"));
    ApiClient.Reply created = f.client.post("/api/v1/webhooks", f.token("admin"), body);
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    long id = created.json().getLong("id");
    TestData.alert(f.services.dataSource(), "wh-lg1", "LG", "low", "raised", Instant.now());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> deliveries(id),
            d -> d.size() == 1 && d.get(0).getString("state").equals("failed"));
    JsonObject delivery = deliveries(id).get(0);
    assertThat(delivery.getInteger("attempts")).isEqualTo(MAX_ATTEMPTS);
    assertThat(delivery.getValue("last_status")).isNull();
    assertThat(delivery.getString("last_error")).contains("Connection refused");
    assertThat(delivery.getJsonArray("history")).hasSize(MAX_ATTEMPTS);
  }

  @Test
  @DisplayName(
      "only admins manage webhooks; bad URLs, events and districts are 400; secrets never listed; deleting stops deliveries")
  void adminRoutes() throws Exception {
    JsonObject good =
        new JsonObject()
            .put("name", "ops")
            .put("url", "http://127.0.0.1:" + port + "/ops")
            .put("events", new JsonArray().add("incident.opened"))
            .put("districts", new JsonArray().add("SS"));
    for (String user : List.of("viewer", "operator", "coord-dp")) {
      assertThat(f.client.post("/api/v1/webhooks", f.token(user), good).status())
          .as(user)
          .isEqualTo(403);
      assertThat(f.client.get("/api/v1/webhooks", f.token(user)).status()).as(user).isEqualTo(403);
      assertThat(f.client.get("/api/v1/webhooks/1/deliveries", f.token(user)).status())
          .isEqualTo(403);
      assertThat(f.client.send("DELETE", "/api/v1/webhooks/1", f.token(user), null).status())
          .isEqualTo(403);
    }
    assertThat(f.client.get("/api/v1/webhooks", null).status()).isEqualTo(401);

    assertThat(refusal(good.copy().put("url", "ftp://127.0.0.1/x")))
        .isEqualTo("url: must be an absolute http:// or https:// URL, was 'ftp://127.0.0.1/x'");
    assertThat(refusal(good.copy().put("url", "127.0.0.1/x")))
        .startsWith("url: must be an absolute http:// or https:// URL");
    assertThat(refusal(good.copy().put("url", "http://169.254.169.254/latest/meta-data")))
        .startsWith("url: host '169.254.169.254' is 169.254.169.254, a loopback, link-local or");
    assertThat(refusal(good.copy().put("url", "http://10.20.30.40/hook")))
        .contains("private address");
    assertThat(refusal(good.copy().put("events", new JsonArray().add("alert.exploded"))))
        .isEqualTo(
            "events: unknown event type 'alert.exploded' (known: alert.raised, alert.escalated,"
                + " alert.resolved, incident.opened, incident.closed, task.overdue, case.overdue)");
    assertThat(refusal(good.copy().put("districts", new JsonArray().add("XX"))))
        .startsWith("districts: unknown district 'XX'");
    assertThat(refusal(good.copy().put("events", new JsonArray()))).startsWith("events:");

    ApiClient.Reply created = f.client.post("/api/v1/webhooks", f.token("admin"), good);
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    long id = created.json().getLong("id");
    assertThat(created.json().getString("created_by")).isEqualTo("admin");
    ApiClient.Reply listed = f.client.get("/api/v1/webhooks", f.token("admin"));
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.items().stream().map(i -> ((JsonObject) i).getLong("id"))).contains(id);
    assertThat(listed.text())
        .doesNotContain("secret")
        .doesNotContain(created.json().getString("secret"));

    ApiClient.Reply deleted =
        f.client.send("DELETE", "/api/v1/webhooks/" + id, f.token("admin"), null);
    assertThat(deleted.status()).as(deleted.text()).isEqualTo(200);
    assertThat(deleted.json().getBoolean("active")).isFalse();
    assertThat(deleted.json().getString("deleted_by")).isEqualTo("admin");
    assertThat(f.client.send("DELETE", "/api/v1/webhooks/999999", f.token("admin"), null).status())
        .isEqualTo(404);
    assertThat(f.client.get("/api/v1/webhooks/999999/deliveries", f.token("admin")).status())
        .isEqualTo(404);

    // A deleted subscription gets nothing.
    TestData.incident(f.services.dataSource(), "wh-ss1", "SS", "flood_response", 22.85, 115.1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                TestData.count(
                        f.services.dataSource(),
                        "SELECT count(*) FROM notification_event WHERE item_id = 'wh-ss1' AND fanned_out")
                    == 1);
    assertThat(deliveries(id)).isEmpty();
    assertThat(RECEIVED.get("/ops")).isNull();

    var ds = f.services.dataSource();
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM audit_log WHERE action = 'create_webhook' AND outcome = 'allowed'"
                    + " AND target = ? AND actor = 'admin'",
                String.valueOf(id)))
        .isEqualTo(1);
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM audit_log WHERE action = 'delete_webhook' AND outcome = 'allowed'"
                    + " AND target = ?",
                String.valueOf(id)))
        .isEqualTo(1);
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM audit_log WHERE action = 'create_webhook' AND outcome = 'denied'"
                    + " AND actor = 'viewer'"))
        .isEqualTo(1);
    assertThat(
            TestData.count(
                ds,
                "SELECT count(*) FROM audit_log WHERE action = 'create_webhook' AND outcome = 'invalid'"))
        .isGreaterThanOrEqualTo(6);
  }

  @Test
  @DisplayName("two API processes on one database send each of 40 deliveries once")
  void twoProcesses() throws Exception {
    long id = create("pair", "/pair", List.of("alert.raised"), List.of("GM")).getLong("id");
    ApiConfig.Builder config =
        ApiConfig.builder()
            .host("127.0.0.1")
            .port(0)
            .jdbcUrl(f.services.jdbcUrl())
            .mqttUrl(f.services.mqttUrl())
            .mqttLogin(f.services.login(Principal.api()))
            .dbPoolSize(4)
            .passwordCost(4)
            .seeds(ApiFixture.SEEDS)
            .clientIdPrefix(f.services.uniqueId("api-2"))
            .commandKeys(CommandKeys.of(f.services.installation()))
            .casePollInterval(Duration.ofHours(1))
            .migrate(false)
            .webhooks(SETTINGS);
    try (CommandApi second = CommandApi.start(config.build())) {
      for (int i = 0; i < 40; i++) {
        TestData.alert(f.services.dataSource(), "wh-gm" + i, "GM", "low", "raised", Instant.now());
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> deliveries(id),
              d ->
                  d.size() == 40
                      && d.stream().allMatch(x -> x.getString("state").equals("delivered")));
      assertThat(deliveries(id)).allSatisfy(d -> assertThat(d.getInteger("attempts")).isEqualTo(1));
      List<Received> got = List.copyOf(RECEIVED.get("/pair"));
      assertThat(got).hasSize(40);
      assertThat(got.stream().map(r -> r.headers().get("X-CityBrain-Delivery")).distinct())
          .hasSize(40);
      assertThat(got.stream().map(r -> r.json().getString("item_id")).distinct()).hasSize(40);
    }
  }

  /** The event types, as the receiver should see them. */
  private static final class EventList {
    static final List<String> ALL =
        List.of(
            "alert.raised",
            "alert.escalated",
            "alert.resolved",
            "incident.opened",
            "incident.closed",
            "task.overdue",
            "case.overdue");
  }

  private static JsonObject create(
      String name, String path, List<String> events, List<String> districts) throws Exception {
    ApiClient.Reply reply =
        f.client.post(
            "/api/v1/webhooks",
            f.token("admin"),
            new JsonObject()
                .put("name", name)
                .put("url", "http://127.0.0.1:" + port + path)
                .put("events", new JsonArray(events))
                .put("districts", new JsonArray(districts)));
    assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    return reply.json();
  }

  private static JsonObject event(List<Received> got, String type, String itemId) {
    return got.stream()
        .map(Received::json)
        .filter(j -> j.getString("type").equals(type) && j.getString("item_id").equals(itemId))
        .findFirst()
        .orElseThrow();
  }

  private static List<JsonObject> deliveries(long id) throws Exception {
    ApiClient.Reply reply =
        f.client.get("/api/v1/webhooks/" + id + "/deliveries", f.token("admin"));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply.items().stream().map(i -> (JsonObject) i).toList();
  }

  /** A 400's "field: reason". */
  private static String refusal(JsonObject body) throws Exception {
    ApiClient.Reply reply = f.client.post("/api/v1/webhooks", f.token("admin"), body);
    assertThat(reply.status()).as(reply.text()).isEqualTo(400);
    return reply.json().getString("field") + ": " + reply.json().getString("reason");
  }

  private static ApiClient.Reply move(String path, String user, String to) throws Exception {
    return f.client.post(
        "/api/v1/" + path + "/transitions", f.token(user), new JsonObject().put("to", to));
  }

  /** HMAC-SHA256 as a receiver would compute it. */
  private static String hmac(String secret, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }
}
