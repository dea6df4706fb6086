package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.access.Principal;
import io.citybrain.api.ApiConfig;
import io.citybrain.api.CommandApi;
import io.citybrain.api.SimActuators;
import io.citybrain.api.ops.HealthSettings;
import io.citybrain.api.response.CommandKeys;
import io.citybrain.ingest.source.LaneSessions;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.District;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.simulators.SimCommand;
import io.citybrain.simulators.SimReport;
import io.citybrain.simulators.SimRun;
import io.citybrain.storage.DataSources;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.stream.CityJobConfig;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.PausablePostgres;
import io.citybrain.testkit.RetainedTopics;
import io.citybrain.testkit.SqlRows;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A PostgreSQL of the test's own stops answering for 60 s (SIGSTOP of its postmaster and every
 * backend) while sequenced QoS 1 readings flow through the stream job (MiniCluster) and the API
 * tracks a response run whose devices answer meanwhile; then it continues (SIGCONT). Every (device,
 * seq) is stored exactly once, the API answers 503 within seconds instead of hanging, and the
 * command states written meanwhile all arrive.
 */
@ExtendWith(CityServicesExtension.class)
class DatabasePauseIT {
  private static final Duration PAUSE = Duration.ofSeconds(60);

  /** The API must answer within this while the database does not (the pool waits 3 s). */
  private static final Duration PROMPT = Duration.ofSeconds(10);

  @Test
  @DisplayName(
      "database paused 60 s mid-stream: every reading stored once, the API says 503 within"
          + " seconds, the acks of the pause are all recorded")
  void pausedDatabase(TestServices services, @TempDir Path dir) throws Exception {
    CitySeeds seeds = SeedLoader.load();
    District dp = seeds.district("DP").orElseThrow();
    HttpClient http = HttpClient.newHttpClient();
    try (PausablePostgres pg = PausablePostgres.start();
        HikariDataSource ds = DataSources.pooled(pg.jdbcUrl("postgres"), "pause-test", 2)) {
      String url = pg.jdbcUrl("postgres");
      Schema.migrate(ds);
      RegistrySync.sync(ds, seeds, FleetExpander.expand(seeds));
      RetainedTopics.clearLive(services.mqttUrl(), seeds.districtCodes());
      CityJobConfig job =
          CityJobConfig.builder()
              .mqttUrl(services.mqttUrl())
              .mqttLogin(services.login(Principal.job()))
              .jdbcUrl(url)
              .districts(seeds.districtCodes())
              .clientIdPrefix(services.uniqueId("pause-job"))
              .qos(1)
              .sessionExpiry(Duration.ofMinutes(10))
              .checkpointInterval(Duration.ofSeconds(2))
              .build();
      LaneSessions.open(job.source());
      try (StreamJobRunner runner = StreamJobRunner.start(job, seeds);
          CommandApi api =
              CommandApi.start(
                  ApiConfig.builder()
                      .jdbcUrl(url)
                      .mqttUrl(services.mqttUrl())
                      .mqttLogin(services.login(Principal.api()))
                      .commandKeys(CommandKeys.of(services.installation()))
                      .port(0)
                      .migrate(false)
                      // Longer than the pause: the devices' answers, not the timer, end the run.
                      .ackTimeout(Duration.ofSeconds(120))
                      .health(HealthSettings.DEFAULT.withMaxAges(Duration.ZERO, Duration.ZERO))
                      .build());
          SimActuators actuators =
              SimActuators.remembering(services, "DP", "16s", dir.resolve("actuators"))) {
        String coordinator = login(http, api, api.createDemoUsers(), "demo-coordinator");
        SimRun sim = simulator(services, "SS", Duration.ofSeconds(90));
        CompletableFuture<SimReport> report =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return sim.run();
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                });
        try {
          await("readings stored before the pause")
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(250))
              .until(() -> count(ds, "SELECT count(*) FROM reading") > 0);
          HttpResponse<String> created =
              send(
                  http,
                  api,
                  "POST",
                  "/api/v1/responses",
                  coordinator,
                  new JsonObject()
                      .put("request_id", "pause-1")
                      .put("plan_id", "flood_response")
                      .put("district", "DP")
                      .put("lat", dp.lat())
                      .put("lon", dp.lon()));
          assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
          JsonObject run = new JsonObject(created.body());
          String runId = run.getString("run_id");
          int total = run.getInteger("total");
          await("every target accepted and stored")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () ->
                      count(
                              ds,
                              "SELECT count(*) FROM command WHERE action <> 'cancel' AND state ="
                                  + " 'accepted'")
                          == total);
          long storedBefore = count(ds, "SELECT count(*) FROM reading");

          int stopped = pg.pause();
          long pausedAt = System.nanoTime();
          // While it is paused: a request is answered 503 within seconds, not held.
          long t0 = System.nanoTime();
          HttpResponse<String> districts =
              send(http, api, "GET", "/api/v1/districts", coordinator, null);
          long answerMs = (System.nanoTime() - t0) / 1_000_000;
          long t1 = System.nanoTime();
          HttpResponse<String> again =
              send(http, api, "GET", "/api/v1/responses/" + runId, coordinator, null);
          long againMs = (System.nanoTime() - t1) / 1_000_000;
          assertThat(districts.statusCode()).as(districts.body()).isEqualTo(503);
          assertThat(districts.headers().firstValue("Retry-After")).isPresent();
          assertThat(answerMs).isLessThan(PROMPT.toMillis());
          assertThat(again.statusCode()).isEqualTo(503);
          assertThat(againMs).isLessThan(PROMPT.toMillis());
          // The devices answer DONE 8-24 s after ACCEPTED, inside the pause: the API takes the acks
          // and holds their writes until the database answers again.
          await("done acks taken while the database is paused")
              .atMost(PAUSE.minusSeconds(5))
              .pollInterval(Duration.ofMillis(250))
              .until(() -> pendingWrites(api) > 0);
          double pendingAtResume;
          long remaining = PAUSE.toNanos() - (System.nanoTime() - pausedAt);
          // The fault lasts its 60 s; the assertions come after it.
          Thread.sleep(Math.max(0, remaining / 1_000_000));
          pendingAtResume = pendingWrites(api);
          pg.resume();
          long resumedAt = System.nanoTime();

          SimReport sent = report.get();
          long published = sent.publishedByClass().getOrDefault("reading", 0L);
          assertThat(published).isPositive();
          await("every published reading stored")
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> count(ds, "SELECT count(*) FROM reading") >= published);
          long stored = count(ds, "SELECT count(*) FROM reading");
          long distinct =
              count(ds, "SELECT count(*) FROM (SELECT DISTINCT device_id, seq FROM reading) d");
          long caughtUpMs = (System.nanoTime() - resumedAt) / 1_000_000;
          assertThat(stored).as("readings stored").isEqualTo(published);
          assertThat(distinct).as("distinct (device, seq)").isEqualTo(published);

          await("the run ends once the writes are in")
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(250))
              .until(
                  () ->
                      count(
                              ds,
                              "SELECT count(*) FROM plan_run WHERE state = 'completed' AND run_id = '"
                                  + runId
                                  + "'")
                          == 1);
          assertThat(
                  count(
                      ds,
                      "SELECT count(*) FROM command WHERE action <> 'cancel' AND state = 'done'"
                          + " AND final"))
              .isEqualTo(total);
          assertThat(
                  count(
                      ds,
                      "SELECT count(DISTINCT command_id) FROM command_event WHERE state = 'done'"))
              .as("targets whose done ack is recorded")
              .isEqualTo(total);
          System.out.printf(
              "DatabasePauseIT: %d processes stopped for %d s; answers during the pause: 503 in %d"
                  + " ms and %d ms; %.0f state writes waiting at SIGCONT; readings: %d published"
                  + " (%d before the pause), %d stored, %d distinct, caught up %d ms after"
                  + " SIGCONT; run of %d targets completed%n",
              stopped,
              PAUSE.toSeconds(),
              answerMs,
              againMs,
              pendingAtResume,
              published,
              storedBefore,
              stored,
              distinct,
              caughtUpMs,
              total);
        } finally {
          sim.stop();
          pg.resume();
        }
      }
    }
  }

  private static double pendingWrites(CommandApi api) {
    var gauge = api.meterRegistry().find("citybrain_api_pending_state_writes").gauge();
    return gauge == null ? 0 : gauge.value();
  }

  private static SimRun simulator(TestServices services, String district, Duration duration) {
    SimCommand command = new SimCommand();
    new CommandLine(command)
        .parseArgs(
            "--mqtt-url",
            services.mqttUrl(),
            "--credentials",
            services.installation().fleet().folder().toString(),
            "--client-id",
            services.uniqueId("pause-sim"),
            "--districts",
            district,
            "--qos",
            "1",
            "--no-actuators",
            "--duration",
            duration.toSeconds() + "s",
            "--connections",
            "1",
            "--quiet");
    return new SimRun(command.config(), null);
  }

  private static String login(
      HttpClient http, CommandApi api, java.util.List<CommandApi.DemoUser> users, String name)
      throws Exception {
    CommandApi.DemoUser user =
        users.stream().filter(u -> u.username().equals(name)).findFirst().orElseThrow();
    HttpResponse<String> reply =
        send(
            http,
            api,
            "POST",
            "/api/v1/auth/login",
            null,
            new JsonObject().put("username", user.username()).put("password", user.password()));
    return new JsonObject(reply.body()).getString("token");
  }

  private static HttpResponse<String> send(
      HttpClient http, CommandApi api, String method, String path, String token, JsonObject body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request
          .header("content-type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long count(HikariDataSource ds, String sql) throws Exception {
    return SqlRows.number(ds, sql);
  }
}
