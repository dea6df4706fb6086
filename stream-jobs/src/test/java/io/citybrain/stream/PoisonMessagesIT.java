package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Reading;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole job against 10^4 poison messages on the real broker and database, on a MiniCluster
 * without restarts (any task failure would fail the job): garbage bytes, the wrong protobuf, huge
 * fields, unknown and misplaced devices, NaN and infinite values, values out of range, future and
 * ancient event times, missing seqs, seqs of 2^63 and more, NUL characters, empty and misaddressed
 * batches. Every one ends a dead letter with its reason, counted once, and the job keeps running.
 */
@ExtendWith(CityServicesExtension.class)
class PoisonMessagesIT {
  static final int POISON = 10_000;
  static final String SENSOR = "DP-RG-00001";
  static final String CAMERA = "DP-CAM-00001";
  static final String GATEWAY = "DP-GW-POISON";

  /** A device with one valid reading (seq 1000) before its poison. */
  static final String PRIMED = "DP-RG-00002";

  @BeforeAll
  static void database(TestServices services) {
    CityJobRun.prepareDatabase(services);
  }

  @Test
  @DisplayName("10^4 poison messages: 10^4 dead letters with a reason, 0 restarts, job RUNNING")
  void poisonIsDeadLettered(TestServices services) throws Exception {
    // A dead letter older than the configured retention: the raw sink's first flush deletes it.
    try (var c = services.dataSource().getConnection();
        var st = c.createStatement()) {
      st.execute(
          "INSERT INTO dead_letter (received_at, topic, district, reason, detail, payload) VALUES "
              + "(now() - interval '10 days', 'city/v1/DP/reading/DP-RG-00003', 'DP', "
              + "'undecodable', 'from before the retention', '\\x01')");
    }
    CityJobConfig config =
        CityJobRun.config(services, services.mqttUrl())
            .deadLetterRetention(Duration.ofDays(7))
            .build();
    try (CityJobRun job = CityJobRun.start(services, config, CityJobIo.of(config), false);
        MqttConnection attacker =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("poison"))
                    .withLogin(services.login(Principal.gateway("DP", GATEWAY))))) {
      Random random = new Random(13);
      long now = System.currentTimeMillis();
      attacker.publish(
          Topics.of(MessageClass.READING, "DP", PRIMED),
          reading(PRIMED, 1_000, now - 1_000, "rainfall_mm_h", 1).toByteArray(),
          1,
          false,
          MqttConnection.PublishCallback.IGNORE);
      CityJobRun.awaitAtLeast(services, "SELECT count(*) FROM reading", 1, Duration.ofSeconds(30));
      Semaphore inFlight = new Semaphore(500);
      AtomicInteger acked = new AtomicInteger();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < POISON; i++) {
        String[] message = poison(i, random, now);
        inFlight.acquire();
        attacker.publish(
            message[0],
            message[1].getBytes(StandardCharsets.ISO_8859_1),
            1,
            false,
            error -> {
              if (error != null) {
                failed.compareAndSet(null, error);
              }
              acked.incrementAndGet();
              inFlight.release();
            });
      }
      assertThat(inFlight.tryAcquire(500, 30, TimeUnit.SECONDS)).isTrue();
      assertThat(failed.get()).as("publish errors").isNull();
      System.out.printf(
          "published %,d poison messages in %.1f s%n", acked.get(), (System.nanoTime() - t0) / 1e9);

      long letters =
          await("10^4 dead letters")
              .atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofMillis(500))
              .failFast("the job stopped running", () -> job.status() != JobStatus.RUNNING)
              .until(
                  () -> CityJobRun.query(services, "SELECT count(*) FROM dead_letter"),
                  n -> n >= POISON);
      // Let anything still in flight land: a second look must find no more.
      Thread.sleep(3_000);
      letters = CityJobRun.query(services, "SELECT count(*) FROM dead_letter");
      List<String> byReason =
          CityJobRun.strings(
              services,
              "SELECT reason || ' ' || count(*) FROM dead_letter GROUP BY reason ORDER BY reason");
      System.out.printf(
          "poison: %,d published, %,d dead letters, job %s; by reason: %s%n",
          POISON, letters, job.status(), byReason);
      assertThat(job.status()).as("job status (no restarts allowed)").isEqualTo(JobStatus.RUNNING);
      assertThat(
              CityJobRun.query(
                  services,
                  "SELECT count(*) FROM dead_letter WHERE received_at < now() - interval '7 days'"))
          .as("dead letters older than the 7 day retention")
          .isZero();
      assertThat(letters).as("dead letters").isEqualTo(POISON);
      assertThat(
              CityJobRun.query(
                  services,
                  "SELECT count(*) FROM dead_letter WHERE reason IS NULL OR reason = '' "
                      + "OR detail IS NULL OR payload IS NULL"))
          .isZero();
      assertThat(
              CityJobRun.query(
                  services,
                  "SELECT coalesce(sum(value), 0) FROM pipeline_accounting WHERE counter = 'rejected'"))
          .as("rejected in the accounting")
          .isEqualTo(POISON);
      assertThat(
              CityJobRun.query(
                  services,
                  "SELECT (SELECT count(*) FROM reading) + (SELECT count(*) FROM camera_event) "
                      + "+ (SELECT count(*) FROM heartbeat)"))
          .as("rows stored: the one valid reading, nothing of the poison")
          .isEqualTo(1);
    }
  }

  /**
   * The i-th poison message: {topic, payload as ISO-8859-1}. Each is distinct (seq or bytes), so
   * dead-letter dedup keeps every one.
   */
  private static String[] poison(int i, Random random, long now) {
    String sensorTopic = Topics.of(MessageClass.READING, "DP", SENSOR);
    long seq = i + 1;
    byte[] payload;
    String topic = sensorTopic;
    switch (i % 16) {
      case 0 -> {
        // Garbage bytes.
        payload = new byte[16 + random.nextInt(200)];
        random.nextBytes(payload);
      }
      case 1 -> {
        // The wrong protobuf: a camera event where a reading belongs.
        payload =
            CameraEvent.newBuilder()
                .setCameraId(CAMERA)
                .setSeq(seq)
                .setEventTimeMs(now)
                .setEventType("road_flooding")
                .setConfidence(0.9f)
                .build()
                .toByteArray();
      }
      case 2 -> payload = reading(SENSOR, seq, now, "x".repeat(20_000) + i, 1).toByteArray();
      case 3 ->
          payload =
              reading("DP-RG-" + "9".repeat(30_000) + i, seq, now, "rainfall_mm_h", 1)
                  .toByteArray();
      case 4 -> {
        // A device the registry does not know, on its own topic.
        String id = "DP-RG-X" + i;
        topic = Topics.of(MessageClass.READING, "DP", id);
        payload = reading(id, seq, now, "rainfall_mm_h", 1).toByteArray();
      }
      case 5 -> {
        // A camera sending readings.
        topic = Topics.of(MessageClass.READING, "DP", CAMERA);
        payload = reading(CAMERA, seq, now, "rainfall_mm_h", 1).toByteArray();
      }
      case 6 -> payload = reading(SENSOR, seq, now, "rainfall_mm_h", Double.NaN).toByteArray();
      case 7 ->
          payload =
              reading(
                      SENSOR,
                      seq,
                      now,
                      "rainfall_mm_h",
                      i % 2 == 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY)
                  .toByteArray();
      case 8 ->
          payload =
              reading(SENSOR, seq, now + 3_600_000L * (1 + i % 48), "rainfall_mm_h", 1)
                  .toByteArray();
      case 9 ->
          payload =
              reading(SENSOR, seq, i % 3 == 0 ? -i : 1_000L * i, "rainfall_mm_h", 1).toByteArray();
      case 10 -> payload = reading(SENSOR, 0, now, "rainfall_mm_h", 1 + i).toByteArray();
      case 11 -> payload = reading(SENSOR, seq, now, "rainfall\0mm_h", 1).toByteArray();
      case 12 -> {
        topic = Topics.batch("DP", GATEWAY);
        payload =
            GatewayBatch.newBuilder().setGatewayId(GATEWAY).setBatchSeq(seq).build().toByteArray();
      }
      case 13 -> {
        topic = Topics.batch("DP", GATEWAY);
        payload =
            GatewayBatch.newBuilder()
                .setGatewayId(GATEWAY)
                .setBatchSeq(seq)
                .setDistrict("LG")
                .addReadings(reading(SENSOR, seq, now, "rainfall_mm_h", 1))
                .build()
                .toByteArray();
      }
      case 14 ->
          payload =
              reading(SENSOR, seq, now, "rainfall_mm_h", i % 2 == 0 ? -5 - i : 1e9 + i)
                  .toByteArray();
      default -> {
        // seq >= 2^63 (unsigned) after the device's seq 1000: it once broke dedup's window
        // arithmetic (ArrayIndexOutOfBoundsException) and restarted the job.
        topic = Topics.of(MessageClass.READING, "DP", PRIMED);
        // 2^63 + j for j < 625: every one of them lands where the old arithmetic indexed outside
        // the bitmap (j up to the primed seq - 257).
        payload = reading(PRIMED, Long.MIN_VALUE + i / 16, now, "rainfall_mm_h", 1).toByteArray();
      }
    }
    return new String[] {topic, new String(payload, StandardCharsets.ISO_8859_1)};
  }

  private static Reading reading(
      String device, long seq, long eventTimeMs, String metric, double value) {
    return Reading.newBuilder()
        .setDeviceId(device)
        .setSeq(seq)
        .setEventTimeMs(eventTimeMs)
        .setMetric(metric)
        .setValue(value)
        .setDistrict("DP")
        .build();
  }
}
