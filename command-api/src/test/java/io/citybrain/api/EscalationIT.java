package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.api.db.Db;
import io.citybrain.api.escalate.Change;
import io.citybrain.api.escalate.Escalator;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Escalation, reminders, SLAs and the no-data resolve on the real database, driven by two
 * escalators (two processes' worth) on a clock the test sets; the results read back through the API
 * (checked against its document), and the shift handover per district and scope.
 */
@ExtendWith(CityServicesExtension.class)
class EscalationIT {
  private static ApiFixture f;
  private static Vertx vertx;
  private static Db db;
  private static final TestClock CLOCK = new TestClock();
  private static Escalator one;
  private static Escalator two;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, c -> {});
    vertx = Vertx.vertx();
    db = new Db(vertx, services.dataSource(), 4);
    one = new Escalator(db, ApiFixture.SEEDS.escalation(), CLOCK);
    two = new Escalator(db, ApiFixture.SEEDS.escalation(), CLOCK);
  }

  @AfterAll
  static void stop() {
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
      "an unacknowledged alert escalates at its deadline, not before, once per deadline with two"
          + " scans at once; an acknowledged one never")
  void escalation() throws Exception {
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    TestData.alert(ds(), "e-crit", "DP", "critical", "raised", t0);
    TestData.alert(ds(), "e-high", "DP", "high", "raised", t0);
    TestData.alert(ds(), "e-acked", "DP", "critical", "raised", t0);
    reporting("DP", "pm25", t0.plus(Duration.ofDays(1)));
    assertThat(move("alerts/e-acked", "acknowledged").status()).isEqualTo(200);

    scanBothAt(t0.plus(Duration.ofMinutes(5)).minusSeconds(1));
    assertThat(events("alert", "e-crit", "escalated")).isZero();

    scanBothAt(t0.plus(Duration.ofMinutes(5)));
    assertThat(events("alert", "e-crit", "escalated")).isEqualTo(1);
    scanBothAt(t0.plus(Duration.ofMinutes(5)));
    assertThat(events("alert", "e-crit", "escalated")).isEqualTo(1);
    JsonObject crit = get("/api/v1/alerts/e-crit", "viewer");
    assertThat(crit.getInteger("escalation_level")).isEqualTo(1);
    assertThat(crit.getString("severity")).isEqualTo("critical");
    assertThat(crit.getString("effective_severity")).isEqualTo("critical");

    // The deadline starts again at the escalation: the next one is 5 minutes later.
    scanBothAt(t0.plus(Duration.ofMinutes(10)).minusSeconds(1));
    assertThat(events("alert", "e-crit", "escalated")).isEqualTo(1);
    scanBothAt(t0.plus(Duration.ofMinutes(10)));
    assertThat(events("alert", "e-crit", "escalated")).isEqualTo(2);

    // A high alert waits 15 minutes, then becomes critical; the job's severity stays high.
    assertThat(events("alert", "e-high", "escalated")).isZero();
    List<Change> changes = scanBothAt(t0.plus(Duration.ofMinutes(15)));
    assertThat(events("alert", "e-high", "escalated")).isEqualTo(1);
    assertThat(changes)
        .anySatisfy(
            c -> {
              assertThat(c.kind()).isEqualTo("alert");
              assertThat(c.change()).isEqualTo("escalated");
              assertThat(c.item().getString("alert_id")).isEqualTo("e-high");
            });
    JsonObject high = get("/api/v1/alerts/e-high", "viewer");
    assertThat(high.getString("severity")).isEqualTo("high");
    assertThat(high.getString("effective_severity")).isEqualTo("critical");
    assertThat(steps(high))
        .containsExactly(
            "escalated high->critical by system: level 1: not acknowledged within 15m");
    JsonObject listed =
        f.client.get("/api/v1/alerts?district=DP&state=raised", f.token("viewer")).json();
    assertThat(
            listed.getJsonArray("items").stream()
                .map(a -> (JsonObject) a)
                .filter(a -> a.getString("alert_id").equals("e-high"))
                .map(a -> a.getString("effective_severity")))
        .containsExactly("critical");

    assertThat(events("alert", "e-acked", "escalated")).isZero();
    assertThat(get("/api/v1/alerts/e-acked", "viewer").getInteger("escalation_level")).isZero();
  }

  @Test
  @DisplayName(
      "an assigned alert reminds its assignee every interval after the last act, until resolved")
  void reminders() throws Exception {
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    TestData.alert(ds(), "r-1", "FT", "medium", "raised", t0);
    reporting("FT", "pm25", t0.plus(Duration.ofDays(1)));
    assertThat(move("alerts/r-1", "acknowledged").status()).isEqualTo(200);
    ApiClient.Reply assigned =
        f.client.send(
            "PUT",
            "/api/v1/alerts/r-1/assignee",
            f.token("operator"),
            new JsonObject().put("assignee", "user:operator").encode());
    assertThat(assigned.status()).as(assigned.text()).isEqualTo(200);

    scanBothAt(t0.plus(Duration.ofMinutes(14)));
    assertThat(events("alert", "r-1", "reminded")).isZero();
    scanBothAt(t0.plus(Duration.ofMinutes(15)).plusSeconds(5));
    assertThat(events("alert", "r-1", "reminded")).isEqualTo(1);
    scanBothAt(t0.plus(Duration.ofMinutes(15)).plusSeconds(5));
    assertThat(events("alert", "r-1", "reminded")).isEqualTo(1);
    scanBothAt(t0.plus(Duration.ofMinutes(30)).plusSeconds(10));
    assertThat(events("alert", "r-1", "reminded")).isEqualTo(2);
    assertThat(steps(get("/api/v1/alerts/r-1", "viewer")))
        .contains(
            "reminded acknowledged->acknowledged by system: user:operator: not resolved, nothing"
                + " done for 15m");

    assertThat(move("alerts/r-1", "resolved").status()).isEqualTo(200);
    scanBothAt(t0.plus(Duration.ofHours(2)));
    assertThat(events("alert", "r-1", "reminded")).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "a run's tasks are due by their plan's SLA; an overdue task is marked once, then reminded;"
          + " a done one never")
  void overdueTasks() throws Exception {
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    ApiClient.Reply run =
        f.client.post(
            "/api/v1/responses",
            f.token("coord-dp"),
            new JsonObject()
                .put("request_id", "esc-run-1")
                .put("plan_id", "flood_response")
                .put("district", "DP"));
    assertThat(run.status()).as(run.text()).isEqualTo(201);
    List<String> tasks =
        run.json().getJsonArray("tasks").stream()
            .map(t -> ((JsonObject) t).getString("task_id"))
            .toList();
    // flood_response: drainage crews 30 min, road closures 20 min, shelters the default 60 min.
    assertThat(sla(get("/api/v1/tasks/" + tasks.get(0), "viewer")))
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(sla(get("/api/v1/tasks/" + tasks.get(1), "viewer")))
        .isEqualTo(Duration.ofMinutes(20));
    assertThat(sla(get("/api/v1/tasks/" + tasks.get(2), "viewer")))
        .isEqualTo(Duration.ofMinutes(60));
    for (String to : List.of("accepted", "in_progress", "done")) {
      assertThat(move("tasks/" + tasks.get(0), to).status()).isEqualTo(200);
    }

    scanBothAt(t0.plus(Duration.ofMinutes(19)));
    assertThat(events("task", tasks.get(1), "overdue")).isZero();
    scanBothAt(t0.plus(Duration.ofMinutes(21)));
    scanBothAt(t0.plus(Duration.ofMinutes(21)));
    assertThat(events("task", tasks.get(1), "overdue")).isEqualTo(1);
    assertThat(events("task", tasks.get(1), "reminded")).isZero();
    JsonObject late = get("/api/v1/tasks/" + tasks.get(1), "viewer");
    assertThat(late.getInteger("escalation_level")).isEqualTo(1);
    assertThat(late.getString("overdue_at")).isNotNull();

    scanBothAt(t0.plus(Duration.ofMinutes(37)));
    assertThat(events("task", tasks.get(1), "overdue")).isEqualTo(1);
    assertThat(events("task", tasks.get(1), "reminded")).isEqualTo(1);
    assertThat(events("task", tasks.get(0), "overdue")).isZero();
    assertThat(events("task", tasks.get(2), "overdue")).isZero();
    scanBothAt(t0.plus(Duration.ofMinutes(61)));
    assertThat(events("task", tasks.get(2), "overdue")).isEqualTo(1);
    assertThat(steps(get("/api/v1/tasks/" + tasks.get(1), "viewer")))
        .anyMatch(
            s ->
                s.startsWith(
                    "overdue assigned->assigned by system: department:traffic_police: due at"));
  }

  @Test
  @DisplayName(
      "a grid case past its SLA is overdue once, as a work event of kind case; a resolved one not")
  void overdueCases() throws Exception {
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    gridCase("esc-case-1", "BA", "handling", t0.plus(Duration.ofHours(1)));
    gridCase("esc-case-2", "BA", "resolved", t0.plus(Duration.ofHours(1)));

    scanBothAt(t0.plus(Duration.ofHours(1)).minusSeconds(1));
    assertThat(events("case", "esc-case-1", "overdue")).isZero();
    scanBothAt(t0.plus(Duration.ofHours(1)));
    scanBothAt(t0.plus(Duration.ofHours(3)));
    assertThat(events("case", "esc-case-1", "overdue")).isEqualTo(1);
    assertThat(events("case", "esc-case-2", "overdue")).isZero();
    assertThat(
            TestData.count(
                ds(),
                "SELECT count(*) FROM grid_case WHERE case_id = 'esc-case-1' AND escalation_level = 1"
                    + " AND overdue_at IS NOT NULL AND state = 'handling'"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName(
      "an alert whose metric stopped reporting is resolved by the system as no data; one whose"
          + " metric reports is not")
  void noData() throws Exception {
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    alert("nd-quiet", "LG", "pm25", t0.minusSeconds(60));
    alert("nd-live", "LG", "noise_db", t0.minusSeconds(60));
    reporting("LG", "pm25", t0.minusSeconds(60));
    reporting("LG", "noise_db", t0.plus(Duration.ofMinutes(11)));

    // Quiet since t0 - 1 min: resolved from t0 + 9 min on, not a second before.
    scanBothAt(t0.plus(Duration.ofMinutes(9)).minusSeconds(1));
    assertThat(get("/api/v1/alerts/nd-quiet", "viewer").getString("handling")).isEqualTo("new");
    scanBothAt(t0.plus(Duration.ofMinutes(11)));
    JsonObject quiet = get("/api/v1/alerts/nd-quiet", "viewer");
    assertThat(quiet.getString("handling")).isEqualTo("resolved");
    assertThat(quiet.getString("resolved_by")).isEqualTo("system");
    assertThat(quiet.getString("state")).as("the job's state is the job's").isEqualTo("raised");
    assertThat(steps(quiet)).containsExactly("transition new->resolved by system: no data");
    assertThat(get("/api/v1/alerts/nd-live", "viewer").getString("handling")).isEqualTo("new");
    assertThat(
            TestData.count(
                ds(),
                "SELECT count(*) FROM audit_log WHERE actor = 'system' AND action = 'transition_alert'"
                    + " AND target = 'nd-quiet'"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName(
      "the handover counts open, escalated and overdue work per district; a district-scoped user"
          + " sees only its own and is refused another's")
  void handover() throws Exception {
    Instant now = Instant.now();
    TestData.alert(ds(), "h-new", "PS", "high", "raised", now.minusSeconds(3600));
    TestData.alert(ds(), "h-ack", "PS", "low", "raised", now.minusSeconds(60));
    TestData.alert(ds(), "h-done", "PS", "low", "cleared", now.minusSeconds(60));
    TestData.exec(
        ds(),
        "UPDATE alert SET escalation_level = 1, escalated_severity = 'critical' WHERE alert_id = 'h-new'");
    TestData.exec(ds(), "UPDATE alert SET handling = 'acknowledged' WHERE alert_id = 'h-ack'");
    TestData.exec(ds(), "UPDATE alert SET handling = 'resolved' WHERE alert_id = 'h-done'");
    TestData.incident(ds(), "h-inc-1", "PS", "flood_response", 22.5, 114.2);
    TestData.incident(ds(), "h-inc-2", "PS", "flood_response", 22.5, 114.2);
    TestData.incident(ds(), "h-inc-3", "PS", "flood_response", 22.5, 114.2);
    TestData.exec(ds(), "UPDATE incident SET state = 'responding' WHERE incident_id = 'h-inc-2'");
    TestData.exec(ds(), "UPDATE incident SET state = 'closed' WHERE incident_id = 'h-inc-3'");
    TestData.exec(
        ds(),
        """
        INSERT INTO plan_run (run_id, plan_id, district, request_id, actor, state)
        VALUES ('h-run', 'flood_response', 'PS', 'h-req', 'coord', 'running')""");
    task("h-run-t1", "accepted", now.minusSeconds(600));
    task("h-run-t2", "done", now.minusSeconds(600));
    task("h-run-t3", "assigned", now.plusSeconds(3600));
    gridCase("h-case-1", "PS", "dispatched", now.minusSeconds(60));
    gridCase("h-case-2", "PS", "dispatched", now.plusSeconds(3600));

    ApiClient.Reply reply = f.client.get("/api/v1/handover?district=PS", f.token("viewer"));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    JsonArray districts = reply.json().getJsonArray("districts");
    assertThat(districts).hasSize(1);
    JsonObject ps = districts.getJsonObject(0);
    assertThat(ps.getString("district")).isEqualTo("PS");
    assertThat(ps.getJsonObject("alerts"))
        .isEqualTo(
            new JsonObject()
                .put("open", 2)
                .put("new", 1)
                .put("acknowledged", 1)
                .put("escalated", 1));
    assertThat(ps.getJsonObject("incidents"))
        .isEqualTo(
            new JsonObject()
                .put("open_total", 2)
                .put("open", 1)
                .put("acknowledged", 0)
                .put("responding", 1));
    assertThat(ps.getInteger("overdue_tasks")).isEqualTo(1);
    assertThat(ps.getInteger("overdue_cases")).isEqualTo(1);
    JsonObject lists = ps.getJsonObject("lists");
    assertThat(ids(lists.getJsonArray("alerts"), "alert_id")).containsExactly("h-new", "h-ack");
    assertThat(ids(lists.getJsonArray("incidents"), "incident_id"))
        .containsExactlyInAnyOrder("h-inc-1", "h-inc-2");
    assertThat(ids(lists.getJsonArray("overdue_tasks"), "task_id")).containsExactly("h-run-t1");
    assertThat(ids(lists.getJsonArray("overdue_cases"), "case_id")).containsExactly("h-case-1");

    JsonObject capped =
        f.client.get("/api/v1/handover?district=PS&limit=1", f.token("viewer")).json();
    assertThat(
            capped
                .getJsonArray("districts")
                .getJsonObject(0)
                .getJsonObject("lists")
                .getJsonArray("alerts"))
        .hasSize(1);
    assertThat(f.client.get("/api/v1/handover", f.token("viewer")).json().getJsonArray("districts"))
        .hasSize(ApiFixture.SEEDS.districts().size());

    // coord-dp's scope is Dapeng: it sees Dapeng only, and naming Pingshan is 403.
    assertThat(f.client.get("/api/v1/handover?district=PS", f.token("coord-dp")).status())
        .isEqualTo(403);
    JsonArray own =
        f.client.get("/api/v1/handover", f.token("coord-dp")).json().getJsonArray("districts");
    assertThat(ids(own, "district")).containsExactly("DP");
    assertThat(f.client.get("/api/v1/handover?district=XX", f.token("viewer")).status())
        .isEqualTo(400);

    // The page that renders it is served with the wall, its script from this origin.
    java.net.http.HttpResponse<String> page =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(f.api.url() + "/wall/handover.html"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("src=\"js/handover.js\"");
  }

  /** Both escalators scan at {@code at}, at the same time: the changes of both. */
  private static List<Change> scanBothAt(Instant at) throws Exception {
    CLOCK.set(at);
    Future<List<Change>> a = one.scan();
    Future<List<Change>> b = two.scan();
    List<Change> first = a.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    List<Change> second = b.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    List<Change> all = new java.util.ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  private static long events(String kind, String id, String action) throws Exception {
    return TestData.count(
        ds(),
        "SELECT count(*) FROM work_event WHERE kind = ? AND item_id = ? AND action = ? AND actor = 'system'",
        kind,
        id,
        action);
  }

  /** A live window of the metric, written at {@code at}: the metric reported then. */
  private static void reporting(String district, String metric, Instant at) throws Exception {
    TestData.exec(
        ds(),
        """
        INSERT INTO district_metric (district, metric, resolution_s, window_start, count, min, max, sum, mean,
                                     updated_at)
        VALUES (?, ?, 10, ?, 1, 1, 1, 1, 1, ?)""",
        district,
        metric,
        at.truncatedTo(ChronoUnit.SECONDS),
        at);
  }

  private static void alert(String id, String district, String metric, Instant raisedAt)
      throws Exception {
    TestData.exec(
        ds(),
        """
        INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold, raised_at)
        VALUES (?, ?, ?, ?, 'medium', 'raised', 80, 75, ?)""",
        id,
        "rule-" + id,
        district,
        metric,
        raisedAt);
  }

  private static void gridCase(String id, String district, String state, Instant dueAt)
      throws Exception {
    TestData.exec(
        ds(),
        """
        INSERT INTO grid_case (case_id, district, category, subtype, source, state, department, created_at, due_at)
        VALUES (?, ?, 'public_order', 'illegal_parking', 'citizen', ?, 'traffic_police', ?, ?)""",
        id,
        district,
        state,
        dueAt.minus(Duration.ofHours(2)),
        dueAt);
  }

  private static void task(String id, String state, Instant dueAt) throws Exception {
    TestData.exec(
        ds(),
        """
        INSERT INTO department_task (task_id, run_id, department, task, state, due_at)
        VALUES (?, 'h-run', 'water_affairs', 'Pump', ?, ?)""",
        id,
        state,
        dueAt);
  }

  private static Duration sla(JsonObject task) {
    return Duration.between(
        Instant.parse(task.getString("created_at")), Instant.parse(task.getString("due_at")));
  }

  private static List<String> ids(JsonArray items, String field) {
    return items.stream().map(i -> ((JsonObject) i).getString(field)).toList();
  }

  private static DataSource ds() {
    return f.services.dataSource();
  }

  private static JsonObject get(String path, String user) throws Exception {
    ApiClient.Reply reply = f.client.get(path, f.token(user));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply.json();
  }

  private static ApiClient.Reply move(String item, String to) throws Exception {
    return f.client.post(
        "/api/v1/" + item + "/transitions", f.token("operator"), new JsonObject().put("to", to));
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

  /** A clock the test sets. */
  private static final class TestClock extends Clock {
    private volatile Instant now = Instant.now();

    void set(Instant at) {
      now = at;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
