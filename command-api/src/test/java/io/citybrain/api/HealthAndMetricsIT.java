package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.api.ops.HealthSettings;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /health} says whether the pipeline is alive (rows being stored, live snapshots arriving),
 * not only whether the API reaches the broker; {@code /metrics} is for admins.
 */
@ExtendWith(CityServicesExtension.class)
class HealthAndMetricsIT {
  private static final Duration MAX_AGE = Duration.ofSeconds(60);
  private static ApiFixture f;
  private static MqttConnection job;
  private static DataSource db;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    db = services.dataSource();
    f =
        ApiFixture.start(
            services,
            config -> config.health(HealthSettings.DEFAULT.withMaxAges(MAX_AGE, MAX_AGE)));
    job =
        PahoConnection.connect(
            MqttSettings.builder(services.mqttUrl(), services.uniqueId("citybrain-job-health"))
                .login(services.login(Principal.job()))
                .build());
  }

  @AfterAll
  static void stop() {
    if (job != null) {
      job.close();
    }
    if (f != null) {
      f.close();
    }
  }

  @Test
  @DisplayName("/metrics answers 401 without a token, 403 to a viewer, the meters to an admin")
  void metricsNeedAnAdmin() throws Exception {
    assertThat(f.client.get("/metrics", null).status()).isEqualTo(401);
    assertThat(f.client.get("/metrics", f.token("viewer")).status()).isEqualTo(403);
    assertThat(f.client.get("/metrics", f.token("operator")).status()).isEqualTo(403);
    ApiClient.Reply admin = f.client.get("/metrics", f.token("admin"));
    assertThat(admin.status()).isEqualTo(200);
    assertThat(admin.text()).contains("vertx_http_server_requests_total");
    // The at-least-once risk gauges (AtLeastOnceRiskIT drives them on a broker of its own).
    assertThat(admin.text())
        .contains(
            "citybrain_broker_queued_messages",
            "citybrain_broker_max_queued_messages 2000000.0",
            "citybrain_job_checkpoint_age_seconds NaN",
            "citybrain_alert_broker_queue",
            "citybrain_alert_checkpoint_age 0.0");
  }

  @Test
  @DisplayName(
      "/health is 503 while nothing is stored, 200 once rows and a snapshot are fresh, 503 when"
          + " the newest row grows old")
  void healthFollowsTheStoredRows() throws Exception {
    execute("DELETE FROM pipeline_accounting");
    ApiClient.Reply nothing = f.client.get("/health", null);
    assertThat(nothing.status()).as(nothing.text()).isEqualTo(503);
    JsonObject report = nothing.json();
    assertThat(report.getBoolean("mqtt")).isTrue();
    assertThat(report.getJsonObject("stored").getBoolean("fresh")).isFalse();
    assertThat(report.getJsonObject("stored").getValue("newest")).isNull();
    assertThat(report.getJsonObject("job").getString("state")).isEqualTo("unmonitored");
    JsonObject risk = report.getJsonObject("at_least_once");
    assertThat(risk.getJsonObject("broker").getLong("max_queued_messages")).isEqualTo(2_000_000L);
    assertThat(risk.getJsonObject("broker").getLong("alert_at")).isEqualTo(1_000_000L);
    // No Flink REST URL: the checkpoint's age cannot be known.
    assertThat(risk.getJsonObject("checkpoint").getValue("age_s")).isEqualTo("unknown");
    assertThat(risk.getJsonObject("checkpoint").getBoolean("alert")).isFalse();

    execute(
        "INSERT INTO pipeline_accounting (district, counter, reason, value, updated_at)"
            + " VALUES ('FT', 'stored', '', 5, now())");
    publishSnapshot("FT", System.currentTimeMillis() - 1_000);
    JsonObject up =
        await("/health 200")
            .atMost(Duration.ofSeconds(15))
            .until(() -> f.client.get("/health", null), r -> r.status() == 200)
            .json();
    assertThat(up.getString("status")).isEqualTo("up");
    assertThat(up.getJsonObject("stored").getDouble("age_s")).isLessThan(30.0);
    assertThat(up.getJsonObject("snapshot").getBoolean("fresh")).isTrue();

    // The sink stopped ten minutes ago: the job may be "running", but the city is not watched.
    execute("UPDATE pipeline_accounting SET updated_at = now() - interval '10 minutes'");
    ApiClient.Reply stale = f.client.get("/health", null);
    assertThat(stale.status()).isEqualTo(503);
    assertThat(stale.json().getString("status")).isEqualTo("degraded");
    assertThat(stale.json().getJsonObject("stored").getDouble("age_s")).isGreaterThan(500.0);
  }

  private static void execute(String sql) throws Exception {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static void publishSnapshot(String district, long windowEnd) throws Exception {
    byte[] payload =
        DistrictSnapshot.newBuilder()
            .setDistrict(district)
            .setWindowStartMs(windowEnd - 10_000)
            .setWindowEndMs(windowEnd)
            .setGeneratedAtMs(windowEnd)
            .setSituationIndex(40)
            .setOnlineRate(0.5)
            .setDevicesOnline(1)
            .setDevicesTotal(2)
            .build()
            .toByteArray();
    CompletableFuture<Throwable> sent = new CompletableFuture<>();
    job.publish("city/v1/" + district + "/live", payload, 1, false, sent::complete);
    assertThat(sent.get(10, TimeUnit.SECONDS)).isNull();
  }
}
