package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.api.ApiConfig;
import io.citybrain.api.CommandApi;
import io.citybrain.api.response.CommandKeys;
import io.citybrain.ingest.source.LaneSessions;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.simulators.SimCommand;
import io.citybrain.simulators.SimRun;
import io.citybrain.stream.CityJobConfig;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.RetainedTopics;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * The picture the API serves does not depend on where it came from: a district's retained live
 * topic, or the row the stream job stored (the only source when the broker lost its retained
 * messages or the API started before they arrived). The job runs on real telemetry; one API reads
 * the live topics, then the topics are cleared and a second API starts on the stored rows alone.
 */
@ExtendWith(CityServicesExtension.class)
class StoredPictureIT {
  static final List<String> DISTRICTS = List.of("FT", "NS");
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @DisplayName(
      "/summary and /districts/{d} read the same from stored snapshots as from the live topics")
  void storedEqualsLive(TestServices services) throws Exception {
    CityUnderTest city = new CityUnderTest(services);
    CitySeeds seeds = city.seeds;
    String broker = services.mqttUrl();
    CityJobConfig job = city.job("stored-city");
    LaneSessions.open(job.source());
    Map<String, JsonObject> live = new HashMap<>();
    try (StreamJobRunner ignored = StreamJobRunner.start(job, seeds);
        CommandApi liveApi =
            CommandApi.start(
                ApiConfig.builder()
                    .jdbcUrl(services.jdbcUrl())
                    .mqttUrl(broker)
                    .mqttLogin(services.login(Principal.api()))
                    .commandKeys(CommandKeys.of(services.installation()))
                    .port(0)
                    .build())) {
      String token = token(liveApi);
      try (SimRun sim = simulator(services, broker)) {
        sim.run();
      }
      // The last pictures are published and stored: the live ones equal the stored window ends.
      await("pictures settled")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> settled(liveApi, token, services));
      // Grid cases come from the stored camera events on the API's own poll (every 2 s), after
      // the pictures: the summary is compared once their count has stopped moving too.
      AtomicLong cases = new AtomicLong(-1);
      await("cases settled")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(3))
          .until(
              () ->
                  cases.getAndSet(count(services, "SELECT count(*) FROM grid_case"))
                      == cases.get());
      for (String d : DISTRICTS) {
        live.put(d, get(liveApi, token, "/api/v1/districts/" + d));
      }
      live.put("summary", withoutGeneratedAt(get(liveApi, token, "/api/v1/summary")));
    } finally {
      LaneSessions.end(job.source());
    }
    for (String d : DISTRICTS) {
      JsonObject snapshot = live.get(d).getJsonObject("snapshot");
      assertThat(snapshot).as("a live picture of " + d).isNotNull();
      assertThat(snapshot.getInteger("devices_total")).as(d + " devices").isPositive();
    }

    RetainedTopics.clearLive(broker, seeds.districtCodes());
    try (CommandApi storedApi =
        CommandApi.start(
            ApiConfig.builder()
                .jdbcUrl(services.jdbcUrl())
                .mqttUrl(broker)
                .mqttLogin(services.login(Principal.api()))
                .commandKeys(CommandKeys.of(services.installation()))
                .port(0)
                .migrate(false)
                .build())) {
      String token = token(storedApi);
      for (String d : DISTRICTS) {
        JsonObject stored = get(storedApi, token, "/api/v1/districts/" + d);
        assertThat(stored).as("/districts/" + d + " from the stored row").isEqualTo(live.get(d));
      }
      JsonObject summary = withoutGeneratedAt(get(storedApi, token, "/api/v1/summary"));
      assertThat(summary).as("/summary from the stored rows").isEqualTo(live.get("summary"));
      JsonArray districts = summary.getJsonArray("districts");
      for (int i = 0; i < districts.size(); i++) {
        JsonObject row = districts.getJsonObject(i);
        if (DISTRICTS.contains(row.getString("code"))) {
          assertThat(row.getDouble("situation_index")).as(row.getString("code")).isNotNull();
        }
      }
    }
  }

  /** The API's live picture of each district is the newest the job stored. */
  private boolean settled(CommandApi api, String token, TestServices services) throws Exception {
    Map<String, Instant> stored = new HashMap<>();
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT district, window_end FROM district_snapshot")) {
      while (rs.next()) {
        stored.put(rs.getString(1), rs.getTimestamp(2).toInstant());
      }
    }
    for (String d : DISTRICTS) {
      JsonObject snapshot = get(api, token, "/api/v1/districts/" + d).getJsonObject("snapshot");
      String end = snapshot == null ? null : snapshot.getString("window_end");
      if (end == null || !Objects.equals(stored.get(d), Instant.parse(end))) {
        return false;
      }
    }
    return true;
  }

  private static long count(TestServices services, String sql) throws Exception {
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static JsonObject withoutGeneratedAt(JsonObject summary) {
    JsonObject copy = summary.copy();
    copy.remove("generated_at");
    return copy;
  }

  private String token(CommandApi api) throws Exception {
    CommandApi.DemoUser viewer =
        api.createDemoUsers().stream()
            .filter(u -> u.role().id().equals("viewer"))
            .findFirst()
            .orElseThrow();
    HttpResponse<String> reply =
        http.send(
            HttpRequest.newBuilder(URI.create(api.url() + "/api/v1/auth/login"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject()
                            .put("username", viewer.username())
                            .put("password", viewer.password())
                            .encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    return new JsonObject(reply.body()).getString("token");
  }

  private JsonObject get(CommandApi api, String token, String path) throws Exception {
    HttpResponse<String> reply =
        http.send(
            HttpRequest.newBuilder(URI.create(api.url() + path))
                .header("authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).as(path + ": " + reply.body()).isEqualTo(200);
    return new JsonObject(reply.body());
  }

  /** Two districts' devices over three minutes of event time, 20 times faster than real time. */
  private static SimRun simulator(TestServices services, String broker) {
    SimCommand command = new SimCommand();
    new CommandLine(command)
        .parseArgs(
            "--broker",
            broker,
            "--credentials",
            services.credentials().toString(),
            "--client-id",
            services.uniqueId("stored-sim"),
            "--connections",
            "1",
            "--qos",
            "1",
            "--quiet",
            "--no-actuators",
            "--districts",
            String.join(",", DISTRICTS),
            "--speed",
            "20",
            "--start-time",
            Instant.now().minus(Duration.ofMinutes(5)).toString(),
            "--duration",
            "180s",
            "--seed",
            "11");
    return new SimRun(command.config(), null);
  }
}
