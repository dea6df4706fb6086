package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * District scope on every read: a caller scoped to Dapeng (coord-dp) sees only Dapeng in every list
 * and the summary, gets 403 for any one object of Nanshan, and a city-wide viewer sees both; pages
 * are bounded (keyset cursors, capped offsets, capped statistics ranges).
 */
@ExtendWith(CityServicesExtension.class)
class DistrictScopeIT {
  private static ApiFixture f;
  private static String dpCase;
  private static String nsCase;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, config -> {});
    DataSource ds = services.dataSource();
    Instant now = Instant.now();
    for (String d : List.of("DP", "NS")) {
      TestData.alert(ds, "al-" + d, d, "high", "raised", now.minusSeconds(30));
      TestData.incident(ds, "inc-" + d, d, "flood_response", 22.6, 114.4);
      TestData.accounting(ds, d, "received", "", d.equals("DP") ? 10 : 1000);
      TestData.accounting(ds, d, "stored", "", d.equals("DP") ? 10 : 1000);
      TestData.metric(ds, d, "pm25", 60, now.minusSeconds(600), 3, 30);
      TestData.exec(
          ds,
          "INSERT INTO plan_run (run_id, plan_id, district, request_id, actor, state)"
              + " VALUES (?, 'flood_response', ?, ?, 'test', 'completed')",
          "run-" + d,
          d,
          "req-" + d);
      TestData.exec(
          ds,
          "INSERT INTO dead_letter (topic, district, reason, detail, payload)"
              + " VALUES (?, ?, 'malformed', ?, '\\x00'::bytea)",
          "city/v1/" + d + "/reading/x",
          d,
          "secret detail of " + d);
    }
    TestData.exec(
        ds,
        "INSERT INTO dead_letter (topic, district, reason, detail, payload)"
            + " VALUES ('garbage', NULL, 'bad_topic', 'no district', '\\x00'::bytea)");
    dpCase = report("DP");
    nsCase = report("NS");
  }

  private static String report(String district) throws Exception {
    ApiClient.Reply reply =
        f.client.post(
            "/api/v1/cases",
            f.token("viewer"),
            new JsonObject()
                .put("district", district)
                .put("subtype", "garbage_overflow")
                .put("description", "scope test"));
    assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    return reply.json().getString("case_id");
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static ApiClient.Reply get(String user, String path) throws Exception {
    return f.client.get(path, f.token(user));
  }

  private static Set<String> districtsOf(ApiClient.Reply reply, String key) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    Set<String> seen = new HashSet<>();
    reply.items().forEach(i -> seen.add(((JsonObject) i).getString(key)));
    return seen;
  }

  @Test
  @DisplayName("Lists show a scoped caller only its districts; a city-wide viewer sees them all")
  void listsAreFiltered() throws Exception {
    for (String path :
        List.of(
            "/api/v1/alerts",
            "/api/v1/incidents",
            "/api/v1/accounting",
            "/api/v1/responses",
            "/api/v1/cases")) {
      assertThat(districtsOf(get("coord-dp", path), "district")).as(path).containsOnly("DP");
      assertThat(districtsOf(get("viewer", path), "district")).as(path).contains("DP", "NS");
    }
    assertThat(districtsOf(get("coord-dp", "/api/v1/districts"), "code")).containsOnly("DP");
    assertThat(districtsOf(get("viewer", "/api/v1/districts"), "code"))
        .containsAll(ApiFixture.SEEDS.districtCodes());
    long dpDevices =
        TestData.count(f.services.dataSource(), "SELECT count(*) FROM device WHERE district='DP'");
    assertThat(districtsOf(get("coord-dp", "/api/v1/devices?limit=1000"), "district"))
        .containsOnly("DP");
    assertThat(get("coord-dp", "/api/v1/devices").json().getLong("total")).isEqualTo(dpDevices);
    assertThat(get("viewer", "/api/v1/devices").json().getLong("total"))
        .isEqualTo(TestData.count(f.services.dataSource(), "SELECT count(*) FROM device"));
  }

  @Test
  @DisplayName("Naming a district outside the scope in a list is 403")
  void namedDistrictOutsideScopeIs403() throws Exception {
    for (String path :
        List.of(
            "/api/v1/alerts?district=NS",
            "/api/v1/incidents?district=NS",
            "/api/v1/accounting?district=NS",
            "/api/v1/responses?district=NS",
            "/api/v1/cases?district=NS",
            "/api/v1/devices?district=NS")) {
      ApiClient.Reply reply = get("coord-dp", path);
      assertThat(reply.status()).as(path + " " + reply.text()).isEqualTo(403);
      assertThat(reply.json().getString("reason")).contains("NS");
      assertThat(get("coord-dp", path.replace("NS", "DP")).status()).as(path).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("One object outside the scope is 403: district, history, incident, run, case")
  void singleObjectsOutsideScopeAre403() throws Exception {
    Function<String, String> ns =
        path -> path.replace("{d}", "NS").replace("{inc}", "inc-NS").replace("{run}", "run-NS");
    for (String path :
        List.of(
            "/api/v1/districts/{d}",
            "/api/v1/districts/{d}/metrics/pm25",
            "/api/v1/incidents/{inc}",
            "/api/v1/responses/{run}")) {
      ApiClient.Reply refused = get("coord-dp", ns.apply(path));
      assertThat(refused.status()).as(path + " " + refused.text()).isEqualTo(403);
      String dp = path.replace("{d}", "DP").replace("{inc}", "inc-DP").replace("{run}", "run-DP");
      assertThat(get("coord-dp", dp).status()).as(dp).isEqualTo(200);
      assertThat(get("viewer", ns.apply(path)).status()).as(path).isEqualTo(200);
    }
    assertThat(get("coord-dp", "/api/v1/cases/" + nsCase).status()).isEqualTo(403);
    assertThat(get("coord-dp", "/api/v1/cases/" + dpCase).status()).isEqualTo(200);
    assertThat(get("viewer", "/api/v1/cases/" + nsCase).status()).isEqualTo(200);
    // Reporting is bounded the same way: a Dapeng coordinator reports in Dapeng only.
    JsonObject nsReport =
        new JsonObject()
            .put("district", "NS")
            .put("subtype", "garbage_overflow")
            .put("description", "outside the scope");
    ApiClient.Reply outside = f.client.post("/api/v1/cases", f.token("coord-dp"), nsReport);
    assertThat(outside.status()).as(outside.text()).isEqualTo(403);
    assertThat(
            f.client
                .post("/api/v1/cases", f.token("coord-dp"), nsReport.copy().put("district", "DP"))
                .status())
        .isEqualTo(201);
    // Unknown stays 404, whoever asks.
    assertThat(get("coord-dp", "/api/v1/incidents/no-such").status()).isEqualTo(404);
  }

  @Test
  @DisplayName("The summary, the pipeline and the case statistics cover the caller's districts")
  void aggregatesAreScoped() throws Exception {
    JsonObject summary = get("coord-dp", "/api/v1/summary").json();
    assertThat(districtsOf(summary.getJsonArray("districts"), "code")).containsOnly("DP");
    assertThat(districtsOf(summary.getJsonArray("top_alerts"), "district")).containsOnly("DP");
    assertThat(districtsOf(summary.getJsonArray("open_incidents"), "district")).containsOnly("DP");
    assertThat(summary.getJsonObject("cases").getLong("total")).isEqualTo(1);
    JsonObject city = get("viewer", "/api/v1/summary").json();
    assertThat(districtsOf(city.getJsonArray("top_alerts"), "district")).contains("DP", "NS");
    assertThat(city.getJsonObject("cases").getLong("total")).isEqualTo(2);

    JsonObject pipeline = get("coord-dp", "/api/v1/pipeline").json();
    assertThat(pipeline.getLong("received")).isEqualTo(10);
    JsonObject dead = pipeline.getJsonObject("dead_letters");
    assertThat(dead.getLong("last_hour")).isEqualTo(1);
    assertThat(districtsOf(dead.getJsonArray("recent"), "district")).containsOnly("DP");
    JsonObject cityPipeline = get("viewer", "/api/v1/pipeline").json();
    assertThat(cityPipeline.getLong("received")).isEqualTo(1010);
    assertThat(cityPipeline.getJsonObject("dead_letters").getLong("last_hour")).isEqualTo(3);

    ApiClient.Reply stats = get("coord-dp", "/api/v1/cases/stats?by=district");
    assertThat(districtsOf(stats, "key")).containsOnly("DP");
    assertThat(districtsOf(get("viewer", "/api/v1/cases/stats?by=district"), "key"))
        .contains("DP", "NS");
  }

  private static Set<String> districtsOf(io.vertx.core.json.JsonArray items, String key) {
    Set<String> seen = new HashSet<>();
    items.forEach(i -> seen.add(((JsonObject) i).getString(key)));
    return seen;
  }

  @Test
  @DisplayName("Devices page by keyset cursor to the end, every device once; deep offsets are 400")
  void keysetPages() throws Exception {
    List<String> seen = new ArrayList<>();
    String after = null;
    long total;
    do {
      JsonObject page =
          get(
                  "viewer",
                  "/api/v1/devices?district=DP&limit=50" + (after == null ? "" : "&after=" + after))
              .json();
      total = page.getLong("total");
      page.getJsonArray("items").forEach(i -> seen.add(((JsonObject) i).getString("device_id")));
      after = page.getString("next");
    } while (after != null);
    assertThat(seen).hasSize((int) total).doesNotHaveDuplicates().isSorted();
    ApiClient.Reply deep = get("viewer", "/api/v1/devices?offset=10000000");
    assertThat(deep.status()).as(deep.text()).isEqualTo(400);
    assertThat(deep.json().getString("field")).isEqualTo("offset");

    JsonObject first = get("viewer", "/api/v1/cases?limit=1").json();
    JsonObject second =
        get("viewer", "/api/v1/cases?limit=1&after=" + first.getString("next")).json();
    assertThat(first.getJsonArray("items").getJsonObject(0).getString("case_id"))
        .isNotEqualTo(second.getJsonArray("items").getJsonObject(0).getString("case_id"));
  }

  @Test
  @DisplayName("Case statistics over more than 366 days are 400 with a message")
  void statisticsRangeIsCapped() throws Exception {
    ApiClient.Reply wide =
        get("viewer", "/api/v1/cases/stats?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z");
    assertThat(wide.status()).as(wide.text()).isEqualTo(400);
    assertThat(wide.json().getString("reason")).contains("366 days");
    assertThat(get("viewer", "/api/v1/cases/stats").status()).isEqualTo(200);
  }
}
