package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Grid cases on the real database: the lifecycle over HTTP, camera detections merged into cases,
 * and the rates.
 */
@ExtendWith(CityServicesExtension.class)
class GridCaseIT {
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
      "a citizen report goes through its whole lifecycle, with every step recorded; illegal moves are 409")
  void lifecycle() throws Exception {
    try (LiveClient live = new LiveClient(f.api.url(), f.token("viewer"), "NS")) {
      ApiClient.Reply reported =
          f.client.post(
              "/api/v1/cases",
              f.token("viewer"),
              new JsonObject()
                  .put("district", "NS")
                  .put("subtype", "garbage_overflow")
                  .put("description", "Bins full on Keyuan Rd")
                  .put("lat", 22.53)
                  .put("lon", 113.94));
      assertThat(reported.status()).as(reported.text()).isEqualTo(201);
      JsonObject created = reported.json();
      String id = created.getString("case_id");
      assertThat(created.getString("state")).isEqualTo("dispatched");
      assertThat(created.getString("department")).isEqualTo("urban_management");
      assertThat(Instant.parse(created.getString("due_at")))
          .isEqualTo(Instant.parse(created.getString("created_at")).plusSeconds(4 * 3600));
      assertThat(created.getString("reporter")).isEqualTo("viewer");

      ApiClient.Reply illegal = move(id, "operator", new JsonObject().put("to", "resolved"));
      assertThat(illegal.status()).isEqualTo(409);
      assertThat(illegal.json().getJsonArray("allowed")).containsExactly("handling");
      assertThat(illegal.json().getString("reason"))
          .isEqualTo("a dispatched case cannot become resolved");

      for (String to :
          List.of("handling", "resolved", "reopened", "handling", "resolved", "confirmed")) {
        ApiClient.Reply moved =
            move(id, "operator", new JsonObject().put("to", to).put("note", "step " + to));
        assertThat(moved.status()).as(moved.text()).isEqualTo(200);
        assertThat(moved.json().getString("state")).isEqualTo(to);
      }
      ApiClient.Reply noRating = move(id, "operator", new JsonObject().put("to", "closed"));
      assertThat(noRating.status()).isEqualTo(400);
      assertThat(noRating.json().getString("field")).isEqualTo("rating");
      JsonObject closed =
          move(
                  id,
                  "operator",
                  new JsonObject()
                      .put("to", "closed")
                      .put("rating", 5)
                      .put("feedback", "Quick and clean"))
              .json();
      assertThat(closed.getInteger("rating")).isEqualTo(5);
      assertThat(closed.getJsonArray("allowed_transitions")).isEmpty();
      assertThat(
              move(id, "operator", new JsonObject().put("to", "reopened"))
                  .json()
                  .getJsonArray("allowed"))
          .isEmpty();

      JsonArray history =
          f.client.get("/api/v1/cases/" + id, f.token("viewer")).json().getJsonArray("history");
      assertThat(history.stream().map(h -> ((JsonObject) h).getString("to_state")).toList())
          .containsExactly(
              "discovered",
              "dispatched",
              "handling",
              "resolved",
              "reopened",
              "handling",
              "resolved",
              "confirmed",
              "closed");
      assertThat(history.getJsonObject(2).getString("actor")).isEqualTo("operator");
      assertThat(history.getJsonObject(2).getString("at")).isNotBlank();
      assertThat(history.getJsonObject(1).getString("actor")).isEqualTo("system");
      // Every change reached the district's live subscribers.
      live.await(
          fr ->
              "case".equals(fr.getString("type"))
                  && "closed".equals(fr.getJsonObject("data").getString("state")),
          10_000);
      assertThat(live.ofType("case")).as("created, then seven transitions").hasSize(8);
    }
  }

  @Test
  @DisplayName(
      "repeated camera detections of one thing merge into one case; other types, weak and repeated rows do not")
  void cameraDetectionsMerge() throws Exception {
    var ds = f.services.dataSource();
    Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
    camera(ds, "LH-CAM-00001", 1, t, "LH", "illegal_parking", 0.9, 22.7000, 114.2000);
    camera(
        ds, "LH-CAM-00001", 2, t.plusSeconds(120), "LH", "illegal_parking", 0.8, 22.7001, 114.2001);
    camera(
        ds,
        "LH-CAM-00002",
        7,
        t.plusSeconds(300),
        "LH",
        "illegal_parking",
        0.95,
        22.7000,
        114.2002);
    camera(
        ds, "LH-CAM-00003", 1, t.plusSeconds(60), "LH", "illegal_parking", 0.9, 22.7050, 114.2000);
    camera(
        ds, "LH-CAM-00003", 2, t.plusSeconds(60), "LH", "crowd_gathering", 0.9, 22.7000, 114.2000);
    camera(
        ds, "LH-CAM-00004", 1, t.plusSeconds(60), "LH", "illegal_parking", 0.2, 22.7000, 114.2000);
    camera(
        ds, "LH-CAM-00005", 1, t.plusSeconds(90), "LH", "garbage_overflow", 0.7, 22.7000, 114.2000);
    assertThat(f.api.pollCameraCases()).isEqualTo(5);
    assertThat(f.api.pollCameraCases())
        .as("a second poll sees the same rows again and does nothing")
        .isZero();

    JsonArray cases = f.client.get("/api/v1/cases?district=LH", f.token("viewer")).items();
    Map<String, List<Integer>> detections =
        cases.stream()
            .map(JsonObject.class::cast)
            .collect(
                Collectors.groupingBy(
                    c -> c.getString("subtype"),
                    Collectors.mapping(c -> c.getInteger("detections"), Collectors.toList())));
    assertThat(detections.get("illegal_parking")).containsExactlyInAnyOrder(3, 1);
    assertThat(detections.get("garbage_overflow")).containsExactly(1);
    assertThat(detections).doesNotContainKey("crowd_gathering");
    JsonObject merged =
        cases.stream()
            .map(JsonObject.class::cast)
            .filter(c -> c.getInteger("detections") == 3)
            .findFirst()
            .orElseThrow();
    assertThat(merged.getString("source")).isEqualTo("camera");
    assertThat(merged.getString("department")).isEqualTo("traffic_police");
    assertThat(Instant.parse(merged.getString("last_detected_at"))).isEqualTo(t.plusSeconds(300));
    assertThat(Instant.parse(merged.getString("due_at"))).isEqualTo(t.plusSeconds(2 * 3600));

    // A detection an hour later is a new case: the window is 30 minutes.
    camera(
        ds,
        "LH-CAM-00001",
        3,
        t.plusSeconds(3600),
        "LH",
        "illegal_parking",
        0.9,
        22.7000,
        114.2000);
    assertThat(f.api.pollCameraCases()).isEqualTo(1);
    assertThat(
            f.client
                .get("/api/v1/cases?district=LH&subtype=illegal_parking", f.token("viewer"))
                .json()
                .getLong("total"))
        .isEqualTo(3);
  }

  @Test
  @DisplayName(
      "resolution rate and SLA compliance over a seeded set, overall and per district, department, category")
  void rates() throws Exception {
    var ds = f.services.dataSource();
    Instant from = Instant.parse("2025-03-01T00:00:00Z");
    // 3,700 cases in Bao'an: 3,600 resolved (97.30 %); 3,595 of those within their SLA (99.86 %).
    TestData.exec(
        ds,
        """
        INSERT INTO grid_case (case_id, district, category, subtype, source, state, department, detections,
                               created_at, due_at, resolved_at)
        SELECT 'seed-' || i, 'BA',
               CASE WHEN i % 2 = 0 THEN 'public_order' ELSE 'public_environment' END,
               CASE WHEN i % 2 = 0 THEN 'illegal_parking' ELSE 'garbage_overflow' END,
               'citizen',
               CASE WHEN i <= 100 THEN 'handling' WHEN i % 3 = 0 THEN 'closed' WHEN i % 3 = 1 THEN 'confirmed'
                    ELSE 'resolved' END,
               CASE WHEN i % 2 = 0 THEN 'traffic_police' ELSE 'urban_management' END, 1,
               ?::timestamptz + i * interval '1 minute', ?::timestamptz + i * interval '1 minute' + interval '2 hours',
               CASE WHEN i <= 100 THEN NULL
                    WHEN i <= 105 THEN ?::timestamptz + i * interval '1 minute' + interval '3 hours'
                    ELSE ?::timestamptz + i * interval '1 minute' + interval '1 hour' END
        FROM generate_series(1, 3700) AS i""",
        from,
        from,
        from,
        from);
    // The rates come from the cases' history: each seeded case's moves, in order.
    TestData.exec(
        ds,
        """
        INSERT INTO grid_case_history (case_id, from_state, to_state, actor, at)
        SELECT case_id, 'dispatched', 'handling', 'seed', created_at FROM grid_case WHERE case_id LIKE 'seed-%'
        ORDER BY created_at""");
    TestData.exec(
        ds,
        """
        INSERT INTO grid_case_history (case_id, from_state, to_state, actor, at)
        SELECT case_id, 'handling', 'resolved', 'seed', resolved_at FROM grid_case
        WHERE case_id LIKE 'seed-%' AND resolved_at IS NOT NULL ORDER BY resolved_at""");
    TestData.exec(
        ds,
        """
        INSERT INTO grid_case_history (case_id, from_state, to_state, actor, at)
        SELECT case_id, 'resolved', 'confirmed', 'seed', resolved_at + interval '1 minute' FROM grid_case
        WHERE case_id LIKE 'seed-%' AND state IN ('confirmed', 'closed') ORDER BY resolved_at""");
    TestData.exec(
        ds,
        """
        INSERT INTO grid_case_history (case_id, from_state, to_state, actor, at)
        SELECT case_id, 'confirmed', 'closed', 'seed', resolved_at + interval '2 minutes' FROM grid_case
        WHERE case_id LIKE 'seed-%' AND state = 'closed' ORDER BY resolved_at""");
    String range = "&from=" + from + "&to=2025-04-01T00:00:00Z";
    JsonObject all =
        f.client
            .get("/api/v1/cases/stats?by=all" + range, f.token("viewer"))
            .items()
            .getJsonObject(0);
    assertThat(all.getLong("total")).isEqualTo(3700);
    assertThat(all.getLong("resolved")).isEqualTo(3600);
    assertThat(all.getDouble("resolution_rate")).isEqualTo(97.30);
    assertThat(all.getDouble("sla_compliance")).isEqualTo(99.86);
    JsonObject ba =
        f.client
            .get("/api/v1/cases/stats?by=district" + range, f.token("viewer"))
            .items()
            .getJsonObject(0);
    assertThat(ba.getString("key")).isEqualTo("BA");
    assertThat(ba.getDouble("resolution_rate")).isEqualTo(97.30);
    JsonArray departments =
        f.client.get("/api/v1/cases/stats?by=department" + range, f.token("viewer")).items();
    // Even ids are traffic police: 1,850 cases, 50 unresolved, 2 of the 5 late ones (102, 104).
    JsonObject traffic =
        departments.stream()
            .map(JsonObject.class::cast)
            .filter(d -> d.getString("key").equals("traffic_police"))
            .findFirst()
            .orElseThrow();
    assertThat(traffic.getLong("total")).isEqualTo(1850);
    assertThat(traffic.getLong("resolved")).isEqualTo(1800);
    assertThat(traffic.getLong("within_sla")).isEqualTo(1798);
    JsonArray categories =
        f.client.get("/api/v1/cases/stats?by=category" + range, f.token("viewer")).items();
    assertThat(categories.stream().map(c -> ((JsonObject) c).getString("key")).toList())
        .containsExactly("public_environment", "public_order");
    assertThat(
            f.client
                .get(
                    "/api/v1/cases/stats?from=2025-05-01T00:00:00Z&to=2025-04-01T00:00:00Z",
                    f.token("viewer"))
                .json()
                .getString("field"))
        .isEqualTo("from");
  }

  private static ApiClient.Reply move(String id, String user, JsonObject body) throws Exception {
    return f.client.post("/api/v1/cases/" + id + "/transitions", f.token(user), body);
  }

  private static void camera(
      DataSource ds,
      String device,
      long seq,
      Instant at,
      String district,
      String type,
      double confidence,
      double lat,
      double lon)
      throws Exception {
    TestData.exec(
        ds,
        """
        INSERT INTO camera_event (device_id, seq, event_time, district, event_type, confidence, object_count, lat, lon)
        VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)""",
        device,
        seq,
        at,
        district,
        type,
        confidence,
        lat,
        lon);
  }
}
