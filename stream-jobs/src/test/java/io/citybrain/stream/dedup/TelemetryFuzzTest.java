package io.citybrain.stream.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.citybrain.ingest.validate.KnownDevice;
import io.citybrain.ingest.validate.MetricRange;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.ingest.validate.TelemetryValidator;
import io.citybrain.ingest.validate.Validated;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Position;
import io.citybrain.proto.v1.Reading;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations of valid upstream messages (bit flips, truncations, splices, extreme varints,
 * over-long and odd strings, wrong topics), batches included, through the real validator and the
 * real dedup operator in a keyed test harness: nothing may escape as an exception, every item is
 * accounted for, every rejection has a reason and its bytes.
 */
class TelemetryFuzzTest {
  private static final long NOW = 1_790_000_000_000L;
  private static final int MUTATIONS = 200_000;
  private static final long SEED = 13;

  /** Values that sit on the edges of varint and signed arithmetic. */
  private static final long[] EXTREMES = {
    0,
    1,
    -1,
    2,
    127,
    128,
    255,
    256,
    257,
    10_000,
    10_001,
    1_000_000,
    Integer.MAX_VALUE,
    Integer.MIN_VALUE,
    0xFFFF_FFFFL,
    Long.MAX_VALUE,
    Long.MAX_VALUE - 1,
    Long.MIN_VALUE,
    Long.MIN_VALUE + 1,
    NOW,
    NOW + 3_600_000,
    NOW - 3_600_000,
    946_684_799_999L
  };

  private static final String[] SENSORS = {"DP-RG-00001", "DP-RG-00002", "DP-AQ-00001"};
  private static final String[] CAMERAS = {"DP-CAM-00001", "DP-CAM-00002"};
  private static final String[] EVENT_TYPES = {"illegal_parking", "smoke_fire", "road_flooding"};
  private static final String[] ODD_TEXT = {
    "",
    "\u0000",
    "x".repeat(65),
    "x".repeat(129),
    "DP/../../",
    "+",
    "#",
    "é漢字",
    "\uD83D\uDE00",
    "Robert'); DROP TABLE dead_letter;--",
    "FT",
    "ILLEGAL_PARKING"
  };

  private final TelemetryValidator validator = validator();

  @Test
  @DisplayName(
      "2*10^5 seeded mutations of valid messages and batches: 0 exceptions escape validation or dedup, every item accounted for")
  void mutationsNeverEscape() throws Exception {
    Random random = new Random(SEED);
    Map<String, Long> counts = new TreeMap<>();
    List<String> escaped = new ArrayList<>();
    long accepted = 0;
    long rejections = 0;
    KeyedOneInputStreamOperatorTestHarness<String, TelemetryItem, TelemetryItem> dedup =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new Deduplicate(Duration.ofMinutes(10), Duration.ofSeconds(30))),
            item -> item.deviceId,
            Types.STRING);
    dedup.open();
    long watermark = NOW - 60_000;
    dedup.processWatermark(new Watermark(watermark));
    long started = System.nanoTime();
    for (int i = 0; i < MUTATIONS; i++) {
      Message valid = validMessage(random);
      String topic = topicOf(valid, random);
      byte[] payload = mutate(valid.toByteArray(), random);
      counts.merge("mutation/" + lastMutation, 1L, Long::sum);
      Validated result;
      try {
        result = validator.validate(topic, payload);
      } catch (RuntimeException e) {
        escaped.add("validate " + topic + ": " + e);
        continue;
      }
      for (Rejection r : result.rejected()) {
        rejections++;
        counts.merge("rejected/" + r.reason().code(), 1L, Long::sum);
        assertThat(r.reason()).isNotNull();
        assertThat(r.detail()).isNotNull().doesNotContain("\u0000");
        assertThat(r.payload()).isNotNull();
      }
      for (TelemetryItem item : result.accepted()) {
        accepted++;
        if (random.nextInt(10) == 0) {
          // Past validation, too: dedup must hold whatever an item carries.
          item.seq = EXTREMES[random.nextInt(EXTREMES.length)];
          item.bootId = EXTREMES[random.nextInt(EXTREMES.length)];
          item.eventTimeMs = EXTREMES[random.nextInt(EXTREMES.length)];
        }
        try {
          dedup.processElement(new StreamRecord<>(item, item.eventTimeMs));
        } catch (Exception e) {
          escaped.add("dedup " + item + ": " + e);
        }
      }
      if (random.nextInt(1_000) == 0) {
        watermark += 1_000;
        dedup.processWatermark(new Watermark(watermark));
      }
    }
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    long clean = dedup.extractOutputValues().size();
    long duplicate = 0;
    long late = 0;
    var flagged = dedup.getSideOutput(Deduplicate.FLAGGED);
    for (StreamRecord<TelemetryItem> f :
        flagged == null ? List.<StreamRecord<TelemetryItem>>of() : flagged) {
      if (f.getValue().duplicate) {
        duplicate++;
      } else {
        late++;
      }
    }
    var dedupRejected = dedup.getSideOutput(Deduplicate.REJECTED);
    for (StreamRecord<Rejection> r :
        dedupRejected == null ? List.<StreamRecord<Rejection>>of() : dedupRejected) {
      counts.merge("dedup-rejected/" + r.getValue().reason().code(), 1L, Long::sum);
      assertThat(r.getValue().payload()).isNotEmpty();
    }
    long dedupRejections = dedupRejected == null ? 0 : dedupRejected.size();
    dedup.close();
    counts.put("accepted", accepted);
    counts.put("dedup/clean", clean);
    counts.put("dedup/duplicate", duplicate);
    counts.put("dedup/late", late);
    System.out.printf(
        "fuzz: %d mutations in %d ms, %d validation rejections, %d items accepted, %d exceptions escaped%n",
        MUTATIONS, elapsedMs, rejections, accepted, escaped.size());
    counts.forEach((k, v) -> System.out.printf("fuzz:   %-36s %9d%n", k, v));

    assertThat(escaped).as("exceptions that escaped").isEmpty();
    assertThat(clean + duplicate + late + dedupRejections)
        .as("every accepted item leaves dedup exactly once")
        .isEqualTo(accepted);
    assertThat(counts)
        .containsKeys(
            "rejected/undecodable",
            "rejected/seq_out_of_range",
            "rejected/text_too_long",
            "rejected/unknown_event_type",
            "rejected/invalid_text",
            "dedup-rejected/seq_jump",
            "dedup-rejected/seq_out_of_range");
  }

  private String lastMutation = "";

  private static TelemetryValidator validator() {
    Map<String, KnownDevice> devices = new java.util.HashMap<>();
    for (String id : SENSORS) {
      devices.put(id, new KnownDevice(id, "DP", "sensor", 10, 22.6, 114.5));
    }
    for (String id : CAMERAS) {
      devices.put(id, new KnownDevice(id, "DP", "camera", 30, 22.6, 114.5));
    }
    return new TelemetryValidator(
        id -> Optional.ofNullable(devices.get(id)),
        Map.of("rainfall_mm_h", new MetricRange(0, 300), "pm25", new MetricRange(0, 1000)),
        Set.of(EVENT_TYPES),
        Duration.ofMinutes(5),
        Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
  }

  /** A message that passes validation as built; a batch of 1 to 20 of them a fifth of the time. */
  private static Message validMessage(Random random) {
    if (random.nextInt(5) == 0) {
      GatewayBatch.Builder batch =
          GatewayBatch.newBuilder()
              .setGatewayId("DP-GW-001")
              .setBatchSeq(1 + random.nextInt(1_000))
              .setSentAtMs(NOW)
              .setDistrict("DP");
      int n = 1 + random.nextInt(20);
      for (int i = 0; i < n; i++) {
        Message m = single(random);
        if (m instanceof Reading r) {
          batch.addReadings(r);
        } else if (m instanceof CameraEvent c) {
          batch.addCameraEvents(c);
        } else {
          batch.addHeartbeats((Heartbeat) m);
        }
      }
      return batch.build();
    }
    return single(random);
  }

  private static Message single(Random random) {
    long seq = 1 + random.nextInt(2_000);
    long eventTime = NOW - random.nextInt(120_000);
    long boot = random.nextInt(3);
    return switch (random.nextInt(3)) {
      case 0 ->
          Reading.newBuilder()
              .setDeviceId(SENSORS[random.nextInt(SENSORS.length)])
              .setSeq(seq)
              .setBootId(boot)
              .setEventTimeMs(eventTime)
              .setMetric(random.nextBoolean() ? "rainfall_mm_h" : "pm25")
              .setValue(random.nextDouble() * 300)
              .setDistrict("DP")
              .build();
      case 1 ->
          CameraEvent.newBuilder()
              .setCameraId(CAMERAS[random.nextInt(CAMERAS.length)])
              .setSeq(seq)
              .setBootId(boot)
              .setEventTimeMs(eventTime)
              .setEventType(EVENT_TYPES[random.nextInt(EVENT_TYPES.length)])
              .setConfidence(random.nextFloat())
              .setObjectCount(random.nextInt(50))
              .setPosition(Position.newBuilder().setLat(22.6).setLon(114.5))
              .setDistrict("DP")
              .build();
      default ->
          Heartbeat.newBuilder()
              .setDeviceId(
                  random.nextBoolean()
                      ? SENSORS[random.nextInt(SENSORS.length)]
                      : CAMERAS[random.nextInt(CAMERAS.length)])
              .setSeq(seq)
              .setBootId(boot)
              .setEventTimeMs(eventTime)
              .setDistrict("DP")
              .setBatteryPct(random.nextFloat() * 100)
              .setFirmware("2.4.1")
              .build();
    };
  }

  /** The message's own topic; now and then another class's, district's or device's. */
  private static String topicOf(Message m, Random random) {
    String[] classes = {"reading", "camera", "heartbeat", "batch"};
    String cls =
        m instanceof Reading
            ? "reading"
            : m instanceof CameraEvent ? "camera" : m instanceof Heartbeat ? "heartbeat" : "batch";
    String id =
        m instanceof Reading r
            ? r.getDeviceId()
            : m instanceof CameraEvent c
                ? c.getCameraId()
                : m instanceof Heartbeat h ? h.getDeviceId() : ((GatewayBatch) m).getGatewayId();
    String district = "DP";
    switch (random.nextInt(20)) {
      case 0 -> cls = classes[random.nextInt(classes.length)];
      case 1 -> district = ODD_TEXT[random.nextInt(ODD_TEXT.length)];
      case 2 -> id = ODD_TEXT[random.nextInt(ODD_TEXT.length)];
      default -> {}
    }
    return "city/v1/" + district + "/" + cls + "/" + id;
  }

  /** One mutation of {@code valid}, chosen at random; its name is left in {@link #lastMutation}. */
  private byte[] mutate(byte[] valid, Random random) throws IOException {
    byte[] b = valid.clone();
    switch (random.nextInt(8)) {
      case 0 -> {
        lastMutation = "bit_flips";
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips && b.length > 0; i++) {
          int at = random.nextInt(b.length);
          b[at] ^= (byte) (1 << random.nextInt(8));
        }
        return b;
      }
      case 1 -> {
        lastMutation = "truncation";
        return java.util.Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length));
      }
      case 2 -> {
        lastMutation = "splice";
        byte[] other = validMessage(random).toByteArray();
        int cut = b.length == 0 ? 0 : random.nextInt(b.length);
        int from = other.length == 0 ? 0 : random.nextInt(other.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, cut);
        out.write(other, from, other.length - from);
        return out.toByteArray();
      }
      case 3 -> {
        // A later field wins in protobuf: an appended seq, event time or boot id overrides.
        lastMutation = "extreme_varint";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b);
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        int field = new int[] {2, 3, 7, 9, 5, 6}[random.nextInt(6)];
        coded.writeUInt64(field, EXTREMES[random.nextInt(EXTREMES.length)]);
        coded.flush();
        return out.toByteArray();
      }
      case 4 -> {
        lastMutation = "overlong_varint";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = b.length == 0 ? 0 : random.nextInt(b.length);
        out.write(b, 0, at);
        int n = 1 + random.nextInt(12);
        for (int i = 0; i < n; i++) {
          out.write(0xFF);
        }
        out.write(b, at, b.length - at);
        return out.toByteArray();
      }
      case 5 -> {
        lastMutation = "odd_string";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b);
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        int field = new int[] {1, 4, 6, 8}[random.nextInt(4)];
        coded.writeString(field, ODD_TEXT[random.nextInt(ODD_TEXT.length)]);
        coded.flush();
        return out.toByteArray();
      }
      case 6 -> {
        lastMutation = "extreme_fields";
        return extremeFields(random).toByteArray();
      }
      default -> {
        lastMutation = "random_bytes";
        byte[] noise = new byte[random.nextInt(64)];
        random.nextBytes(noise);
        return noise;
      }
    }
  }

  /** A well-formed message whose numbers are extremes, alone or inside a batch. */
  private static Message extremeFields(Random random) {
    Reading r =
        Reading.newBuilder()
            .setDeviceId(SENSORS[random.nextInt(SENSORS.length)])
            .setSeq(EXTREMES[random.nextInt(EXTREMES.length)])
            .setBootId(EXTREMES[random.nextInt(EXTREMES.length)])
            .setEventTimeMs(EXTREMES[random.nextInt(EXTREMES.length)])
            .setMetric("rainfall_mm_h")
            .setValue(
                new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e308, 42}
                    [random.nextInt(5)])
            .setDistrict("DP")
            .build();
    return random.nextBoolean()
        ? r
        : GatewayBatch.newBuilder()
            .setGatewayId("DP-GW-001")
            .setBatchSeq(EXTREMES[random.nextInt(EXTREMES.length)])
            .setSentAtMs(EXTREMES[random.nextInt(EXTREMES.length)])
            .addReadings(r)
            .addReadings(r.toBuilder().setSeq(EXTREMES[random.nextInt(EXTREMES.length)]))
            .build();
  }
}
