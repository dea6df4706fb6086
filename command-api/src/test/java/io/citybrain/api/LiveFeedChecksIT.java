package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.api.live.LiveDrops;
import io.citybrain.api.live.LiveDrops.Reason;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Incident;
import io.citybrain.proto.v1.MetricStats;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API's own checks on the result topics, behind the broker's (which lets only the job publish
 * there): a forged or broken picture published with the job's login is not served by {@code
 * /api/v1/districts/FT} or {@code /summary}, and each refusal is counted by reason.
 */
@ExtendWith(CityServicesExtension.class)
class LiveFeedChecksIT {
  private static final double FORGED_INDEX = 3.5;
  private static ApiFixture f;
  private static MqttConnection job;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, config -> config.liveClockSkew(Duration.ofMinutes(1)));
    job =
        PahoConnection.connect(
            MqttSettings.builder(services.mqttUrl(), services.uniqueId("citybrain-job-forger"))
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
  @DisplayName(
      "mismatched, oversized, stale, future and unknown-district results are refused and counted")
  void forgedResultsAreNotServed() throws Exception {
    String viewer = f.token("viewer");
    long now = System.currentTimeMillis();
    publish("city/v1/FT/live", snapshot("FT", now - 20_000, 40.0).toByteArray());
    awaitServedIndex(viewer, 40.0);
    Map<Reason, Long> before = counts();

    publish("city/v1/FT/live", snapshot("DP", now, FORGED_INDEX).toByteArray());
    publish("city/v1/FT/live", oversized(now).toByteArray());
    publish("city/v1/FT/live", snapshot("FT", now - 60_000, FORGED_INDEX).toByteArray());
    publish("city/v1/FT/live", snapshot("FT", now + 3_600_000, FORGED_INDEX).toByteArray());
    publish("city/v1/ZZ/live", snapshot("ZZ", now, FORGED_INDEX).toByteArray());
    publish("city/v1/FT/live", new byte[] {(byte) 0xff, 0x01, 0x02});
    publish(
        "city/v1/FT/alert",
        Alert.newBuilder().setAlertId("forged:1").setDistrict("DP").build().toByteArray());
    publish(
        "city/v1/FT/incident",
        Incident.newBuilder().setIncidentId("forged:1").setDistrict("NS").build().toByteArray());
    // A good picture after the forged ones: once it is served, every forged one was handled.
    publish("city/v1/FT/live", snapshot("FT", now, 41.0).toByteArray());
    JsonObject ft = awaitServedIndex(viewer, 41.0);
    assertThat(ft.getJsonObject("snapshot").getDouble("situation_index"))
        .isNotEqualTo(FORGED_INDEX);

    Map<Reason, Long> after = counts();
    assertThat(after.get(Reason.DISTRICT_MISMATCH) - before.get(Reason.DISTRICT_MISMATCH))
        .as("mismatched snapshot, alert, incident")
        .isEqualTo(3);
    assertThat(after.get(Reason.OVERSIZED) - before.get(Reason.OVERSIZED)).isEqualTo(1);
    assertThat(after.get(Reason.STALE) - before.get(Reason.STALE)).isEqualTo(1);
    assertThat(after.get(Reason.FUTURE) - before.get(Reason.FUTURE)).isEqualTo(1);
    assertThat(after.get(Reason.UNKNOWN_DISTRICT) - before.get(Reason.UNKNOWN_DISTRICT))
        .isEqualTo(1);
    assertThat(after.get(Reason.MALFORMED) - before.get(Reason.MALFORMED)).isEqualTo(1);

    JsonObject summary = f.client.get("/api/v1/summary", viewer).json();
    JsonObject ftLine =
        summary.getJsonArray("districts").stream()
            .map(JsonObject.class::cast)
            .filter(d -> d.getString("code").equals("FT"))
            .findFirst()
            .orElseThrow();
    assertThat(ftLine.getDouble("situation_index")).isEqualTo(41.0);
    assertThat(summary.getJsonArray("districts").stream().map(JsonObject.class::cast))
        .noneMatch(d -> d.getString("code").equals("ZZ"));
    assertThat(f.client.get("/api/v1/districts/ZZ", viewer).status()).isEqualTo(404);
    assertThat(f.client.get("/metrics", f.token("admin")).text())
        .contains(LiveDrops.METRIC + "_total{reason=\"stale\"}");
  }

  private static JsonObject awaitServedIndex(String viewer, double index) {
    return await("FT served with situation index " + index)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> f.client.get("/api/v1/districts/FT", viewer).json(),
            d ->
                d.getJsonObject("snapshot") != null
                    && d.getJsonObject("snapshot").getDouble("situation_index") == index);
  }

  private static Map<Reason, Long> counts() {
    Map<Reason, Long> counts = new EnumMap<>(Reason.class);
    for (Reason reason : Reason.values()) {
      counts.put(
          reason,
          (long)
              f.api
                  .meterRegistry()
                  .get(LiveDrops.METRIC)
                  .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                  .counter()
                  .count());
    }
    return counts;
  }

  private static DistrictSnapshot snapshot(String district, long windowEnd, double index) {
    return DistrictSnapshot.newBuilder()
        .setDistrict(district)
        .setWindowStartMs(windowEnd - 10_000)
        .setWindowEndMs(windowEnd)
        .setGeneratedAtMs(windowEnd)
        .setSituationIndex(index)
        .setOnlineRate(0.001)
        .setDevicesOnline(1)
        .setDevicesTotal(1000)
        .build();
  }

  /** A well-formed snapshot for FT, newer than any held, but larger than 64 KiB. */
  private static DistrictSnapshot oversized(long now) {
    DistrictSnapshot.Builder b = snapshot("FT", now, FORGED_INDEX).toBuilder();
    for (int i = 0; b.build().getSerializedSize() <= 70 * 1024; i++) {
      b.addMetrics(MetricStats.newBuilder().setMetric("padding_metric_" + i).setCount(1));
    }
    return b.build();
  }

  private static void publish(String topic, byte[] payload) throws Exception {
    CompletableFuture<Throwable> sent = new CompletableFuture<>();
    job.publish(topic, payload, 1, false, sent::complete);
    assertThat(sent.get(10, TimeUnit.SECONDS)).as("publish to %s", topic).isNull();
  }
}
