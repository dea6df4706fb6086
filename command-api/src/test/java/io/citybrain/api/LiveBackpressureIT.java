package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Principal;
import io.citybrain.api.live.LiveHub;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.AlertState;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.MetricStats;
import io.citybrain.proto.v1.Severity;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A WebSocket client that stops reading costs the server a bounded amount of memory, however much
 * is pushed.
 */
@ExtendWith(CityServicesExtension.class)
class LiveBackpressureIT {
  private static final int QUEUE_LIMIT = 50;
  private static final int SNAPSHOTS = 1_000;
  private static final int ALERTS = 300;

  @Test
  @DisplayName(
      "1,000 snapshots and 300 alerts pushed past a stalled client: its queue stays bounded, snapshots "
          + "conflate, and when it reads again it gets the latest snapshot of every district")
  void slowClientIsBounded(TestServices services) throws Exception {
    List<String> districts = ApiFixture.SEEDS.districtCodes();
    try (ApiFixture f =
            ApiFixture.start(
                services, c -> c.liveQueueLimit(QUEUE_LIMIT).liveWriteQueueBytes(16 * 1024));
        RawWebSocket slow =
            new RawWebSocket(f.api.url(), "/api/v1/live?ticket=" + f.liveTicket("viewer"));
        LiveClient fast = new LiveClient(f.api.url(), f.token("viewer"), "DP");
        MqttConnection mqtt =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("stream-job"))
                    .withLogin(services.login(Principal.job())))) {
      slow.sendText(new JsonObject().put("subscribe", new JsonArray(districts)).encode());
      assertThat(slow.readText()).contains("\"hello\"");
      assertThat(slow.readText()).contains("\"subscribed\"");
      // From here on the slow client reads nothing.

      Map<String, Long> lastGenerated = new HashMap<>();
      CountDownLatch published = new CountDownLatch(SNAPSHOTS + ALERTS);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      int snapshotBytes = 0;
      for (int i = 0; i < SNAPSHOTS; i++) {
        String district = districts.get(i % districts.size());
        long generated = 1_000_000L + i;
        byte[] payload = snapshot(district, generated).toByteArray();
        snapshotBytes += payload.length;
        lastGenerated.put(district, generated);
        mqtt.publish("city/v1/" + district + "/live", payload, 1, false, done(published, failure));
        if (i % 3 == 0 && i / 3 < ALERTS) {
          mqtt.publish(
              "city/v1/DP/alert", alert(i / 3).toByteArray(), 1, false, done(published, failure));
        }
      }
      assertThat(published.await(60, TimeUnit.SECONDS)).isTrue();
      assertThat(failure.get()).isNull();
      String lastDp = Instant.ofEpochMilli(lastGenerated.get("DP")).toString();
      fast.await(
          fr ->
              "snapshot".equals(fr.getString("type"))
                  && lastDp.equals(fr.getJsonObject("data").getString("generated_at")),
          30_000);
      assertThat(fast.ofType("alert")).as("a reading client loses nothing").hasSize(ALERTS);

      LiveHub.LiveStats stats = f.api.liveStats();
      int frameChars = snapshot("DP", 0).toByteArray().length * 4;
      // At most the event limit plus one snapshot per district ever waited, whatever was pushed.
      assertThat(stats.highWaterFrames()).isLessThanOrEqualTo(QUEUE_LIMIT + districts.size() + 2);
      assertThat(stats.highWaterChars())
          .isLessThan((long) (QUEUE_LIMIT + districts.size() + 2) * frameChars)
          .isLessThan(snapshotBytes / 4);
      assertThat(stats.conflated())
          .as("snapshots replaced while waiting")
          .isGreaterThan(SNAPSHOTS / 2);
      assertThat(stats.dropped()).as("alerts the stalled client lost").isPositive();

      // Reading again: a notice of what was dropped, and the newest snapshot of every district.
      Map<String, String> newest = new HashMap<>();
      long droppedNotified = 0;
      long deadline = System.currentTimeMillis() + 20_000;
      while (!newest.keySet().containsAll(districts) || !allLatest(newest, lastGenerated)) {
        assertThat(System.currentTimeMillis()).as("latest snapshots arrive").isLessThan(deadline);
        JsonObject frame = new JsonObject(slow.readText());
        if ("dropped".equals(frame.getString("type"))) {
          droppedNotified += frame.getLong("count");
        }
        if ("snapshot".equals(frame.getString("type"))) {
          newest.put(
              frame.getString("district"), frame.getJsonObject("data").getString("generated_at"));
        }
      }
      assertThat(droppedNotified)
          .as("the client is told exactly how many events it missed")
          .isEqualTo(stats.dropped());
    }
  }

  private static boolean allLatest(Map<String, String> newest, Map<String, Long> lastGenerated) {
    return lastGenerated.entrySet().stream()
        .allMatch(
            e -> Instant.ofEpochMilli(e.getValue()).toString().equals(newest.get(e.getKey())));
  }

  private static MqttConnection.PublishCallback done(
      CountDownLatch latch, AtomicReference<Throwable> failure) {
    return error -> {
      if (error != null) {
        failure.set(error);
      }
      latch.countDown();
    };
  }

  private static DistrictSnapshot snapshot(String district, long generatedAtMs) {
    DistrictSnapshot.Builder b =
        DistrictSnapshot.newBuilder()
            .setDistrict(district)
            .setWindowStartMs(generatedAtMs)
            .setWindowEndMs(generatedAtMs + 10_000)
            .setSituationIndex(generatedAtMs % 100)
            .setGeneratedAtMs(generatedAtMs)
            .setDevicesOnline(900)
            .setDevicesTotal(1000)
            .setOnlineRate(0.9);
    for (String metric :
        List.of("pm25", "noise_db", "water_level_pct", "traffic_speed_kmh", "temperature_c")) {
      // Sub-area breakdowns make a large snapshot (~12 KB of JSON): 1,000 of them outrun the
      // kernel's socket buffers,
      // so the server's own queue is what the stalled client exercises.
      for (int i = 0; i < 24; i++) {
        b.addMetrics(
            MetricStats.newBuilder()
                .setMetric(metric + "_" + i)
                .setCount(60)
                .setMin(1)
                .setMax(99)
                .setMean(50.5)
                .setSum(3030)
                .setP95(97));
      }
    }
    return b.build();
  }

  private static Alert alert(int i) {
    return Alert.newBuilder()
        .setAlertId("load-" + i)
        .setRuleId("pm25_high")
        .setDistrict("DP")
        .setMetric("pm25")
        .setSeverity(Severity.SEVERITY_HIGH)
        .setState(AlertState.ALERT_STATE_RAISED)
        .setValue(90)
        .setThreshold(75)
        .setRaisedAtMs(1_000_000L + i)
        .build();
  }
}
