package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.ingest.sink.Ingested;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Incident;
import io.citybrain.simulators.SimReport;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.RetainedTopics;
import io.citybrain.testkit.TestServices;
import io.citybrain.testkit.WindowRecomputation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole job on a MiniCluster with the real broker and database, fed by the simulator: Dapeng
 * floods while Longgang loses 30% of its devices for five minutes (time-lapse 30x, a fixed start
 * time, so the input is the same every run).
 */
@ExtendWith(CityServicesExtension.class)
class CityScenarioIT {
  static final Instant START = Instant.parse("2025-06-01T01:00:00Z");

  /** The scenario (900 s) plus time for every alert to clear and the last windows to close. */
  static final String SIM_SECONDS = "1080s";

  static final AtomicBoolean FAILED = new AtomicBoolean();
  static final AtomicLong SEEN = new AtomicLong();

  /** The event time of the item the raw sink failed on. */
  static final AtomicLong FAILED_AT = new AtomicLong();

  @BeforeAll
  static void database(TestServices services) {
    CityJobRun.prepareDatabase(services);
  }

  @Test
  @DisplayName(
      "flood + outage: the expected alerts and incidents only; 1 min metrics = SQL recomputation despite a "
          + "failure; the same input twice more gives identical snapshots and incidents")
  void floodAndOutage(TestServices services) throws Exception {
    String broker = services.mqttUrl();
    Results first = run(services, broker, true);
    assertThat(FAILED).as("the job was failed on purpose mid-run").isTrue();

    // Alerts: Dapeng's flood raises rain, water and traffic alerts, each once, and all clear when
    // it is over.
    assertThat(
            CityJobRun.strings(
                services,
                "SELECT rule_id || ' ' || district || ' ' || state FROM alert "
                    + "ORDER BY rule_id"))
        .containsExactlyInAnyOrder(
            "rainfall_heavy DP cleared",
            "rainfall_torrential DP cleared",
            "traffic_slow DP cleared",
            "water_level_danger DP cleared",
            "water_level_warning DP cleared");
    // Incidents: the flood, with the plan that fits it; the storm of alerts in Dapeng; nothing in
    // Longgang.
    assertThat(first.incidents.keySet())
        .containsExactlyInAnyOrder(
            "flood DP flood_response", "alert_storm DP district_coordination");

    // Liveness: Longgang's online rate falls during the outage and comes back; Dapeng's stays up.
    assertThat(first.minOnlineRate("LG")).isBetween(0.60, 0.80);
    assertThat(first.lastOnlineRate("LG")).isGreaterThan(0.97);
    assertThat(first.minOnlineRate("DP", 300)).isGreaterThan(0.97);
    assertThat(first.minIndex("DP")).isLessThan(first.minIndex("LG"));

    // 1 min metrics: exactly the batch recomputation from the raw rows, for every closed window.
    long compared = CityJobRun.query(services, RECOMPUTED_WINDOWS);
    assertThat(compared).as("closed 1 min windows compared").isGreaterThan(100);
    assertThat(CityJobRun.strings(services, MISMATCHES))
        .as("windows that differ from the recomputation")
        .isEmpty();

    // Accounting: received = stored + duplicate + late + rejected per district; stored + late =
    // rows.
    assertThat(
            CityJobRun.strings(
                services,
                """
        SELECT district FROM pipeline_accounting GROUP BY district
        HAVING sum(value) FILTER (WHERE counter = 'received') <> sum(value) FILTER (WHERE counter <> 'received')"""))
        .isEmpty();
    assertThat(
            CityJobRun.query(
                services,
                "SELECT sum(value) FROM pipeline_accounting WHERE counter IN "
                    + "('stored', 'late')"))
        .isEqualTo(
            CityJobRun.query(
                services,
                "SELECT (SELECT count(*) FROM reading) + "
                    + "(SELECT count(*) FROM camera_event) + (SELECT count(*) FROM heartbeat)"));

    // The same input again, without a failure: identical liveness changes, device states,
    // incidents and pictures, every picture the failure run published included (those of the
    // windows open at the restored checkpoint, published before the failure and again after it).
    long failedAt = FAILED_AT.get();
    reset(services, broker);
    Results second = run(services, broker, false);
    SoftAssertions determinism = new SoftAssertions();
    determinism
        .assertThat(second.incidents)
        .as("incidents, uninterrupted run")
        .isEqualTo(first.incidents);
    assertThat(first.livenessChanges).as("liveness changes").hasSizeGreaterThan(1_000);
    determinism
        .assertThat(onlyIn(first.livenessChanges, second.livenessChanges))
        .as("liveness changes of the failure run only")
        .isEmpty();
    determinism
        .assertThat(onlyIn(second.livenessChanges, first.livenessChanges))
        .as("liveness changes of the uninterrupted run only")
        .isEmpty();
    determinism
        .assertThat(onlyIn(first.deviceStatus, second.deviceStatus))
        .as("device states of the failure run only")
        .isEmpty();
    long end = START.toEpochMilli() + 900_000;
    Map<String, String> uninterrupted = second.snapshotsUpTo(end);
    Map<String, List<String>> published = first.everySnapshotUpTo(end);
    assertThat(uninterrupted).hasSizeGreaterThan(150);
    determinism.assertThat(published.keySet()).isEqualTo(uninterrupted.keySet());
    long afterFailure =
        published.keySet().stream()
            .filter(k -> Long.parseLong(k.substring(k.indexOf('@') + 1)) > failedAt)
            .count();
    long republished = published.values().stream().filter(p -> p.size() > 1).count();
    List<String> differing = new ArrayList<>();
    published.forEach(
        (key, pictures) -> {
          for (String picture : pictures) {
            if (!picture.equals(uninterrupted.get(key))) {
              differing.add(
                  key
                      + ": devices online "
                      + devicesOnline(picture)
                      + " vs "
                      + devicesOnline(uninterrupted.get(key))
                      + " uninterrupted");
            }
          }
        });
    System.out.printf(
        "determinism: failure at event time +%d s; %d pictures compared, %d after the failure, "
            + "%d published twice or more, %d differ; liveness changes %,d and %,d, %,d of one "
            + "run only; device states %,d, %,d differ%n",
        (failedAt - START.toEpochMilli()) / 1000,
        published.size(),
        afterFailure,
        republished,
        differing.size(),
        first.livenessChanges.size(),
        second.livenessChanges.size(),
        onlyIn(first.livenessChanges, second.livenessChanges).size()
            + onlyIn(second.livenessChanges, first.livenessChanges).size(),
        first.deviceStatus.size(),
        onlyIn(first.deviceStatus, second.deviceStatus).size());
    assertThat(afterFailure).as("pictures of windows after the failure").isGreaterThan(20);
    determinism
        .assertThat(differing)
        .as(
            "pictures of the failure run (every publication) that differ from the uninterrupted run's")
        .isEmpty();
    determinism.assertAll();
  }

  /** What {@code a} has and {@code b} has not. */
  private static List<String> onlyIn(Set<String> a, Set<String> b) {
    return a.stream().filter(x -> !b.contains(x)).toList();
  }

  private static String devicesOnline(String picture) {
    if (picture == null) {
      return "-";
    }
    int i = picture.indexOf("devices_online: ");
    return i < 0 ? "0" : picture.substring(i + 16, picture.indexOf('\n', i));
  }

  private Results run(TestServices services, String broker, boolean fail) throws Exception {
    SEEN.set(0);
    // Another run on this broker (a benchmark, a demo) may have left pictures retained.
    RetainedTopics.clearLive(broker, CityJobRun.SEEDS.districtCodes());
    Results results = new Results();
    CityJobConfig config =
        CityJobRun.config(services, broker)
            // Event-time bounds for a 30x time-lapse: a second of wall-clock delay is 30 s of event
            // time.
            .outOfOrderness(Duration.ofSeconds(10))
            .allowedLateness(Duration.ofSeconds(120))
            .build();
    CityJobIo io = CityJobIo.of(config);
    if (fail) {
      io = io.withRawTelemetry(new FailingOnce(io.rawTelemetry()));
    }
    try (CityJobRun job = CityJobRun.start(services, config, io)) {
      long t0 = System.nanoTime();
      SimReport report =
          CityJobRun.simulate(
              services,
              broker,
              "--districts",
              "DP,LG",
              "--scenario",
              Path.of("src/test/resources/flood-and-outage.yaml").toAbsolutePath().toString(),
              "--speed",
              "30",
              "--start-time",
              START.toString(),
              "--duration",
              SIM_SECONDS,
              "--seed",
              "7",
              "--day-hour",
              "9");
      System.out.printf(
          "simulated %,d messages in %.1f s%n", report.published(), (System.nanoTime() - t0) / 1e9);
      // Caught up: every message counted, the pictures up to the end of the scenario out, then
      // nothing moving.
      CityJobRun.awaitAtLeast(
          services,
          "SELECT coalesce(sum(value), 0) FROM pipeline_accounting WHERE counter = " + "'received'",
          report.published(),
          Duration.ofMinutes(3));
      CityJobRun.awaitAtLeast(
          services,
          "SELECT coalesce(min(extract(epoch FROM window_end) * 1000), 0)::bigint "
              + "FROM district_snapshot WHERE district IN ('DP', 'LG')",
          START.toEpochMilli() + 900_000,
          Duration.ofMinutes(3));
      CityJobRun.awaitStable(
          services,
          "SELECT (SELECT count(*) FROM reading) + (SELECT count(*) FROM district_metric)"
              + " + (SELECT count(*) FROM alert WHERE state = 'cleared')",
          Duration.ofSeconds(3),
          Duration.ofMinutes(3));
      // The publisher's last pictures reach the test's subscriber a moment after they are stored.
      for (String district : List.of("DP", "LG")) {
        long stored =
            CityJobRun.query(
                services,
                "SELECT (extract(epoch FROM window_end) * 1000)::bigint FROM district_snapshot "
                    + "WHERE district = '"
                    + district
                    + "'");
        await(district + "'s stored picture published")
            .atMost(Duration.ofSeconds(30))
            .until(() -> job.publishedWindowEnd(district) >= stored);
      }
      results.collect(services, job);
    }
    return results;
  }

  /**
   * The real raw sink, failing the job once on purpose at the 40,000th item it is given (across
   * restarts: the MiniCluster runs in this JVM). The sink fails before it writes the item, so the
   * restored job must store it from the broker's redelivery.
   */
  static final class FailingOnce implements Sink<Ingested> {
    private static final long serialVersionUID = 1L;
    private final Sink<Ingested> sink;

    FailingOnce(Sink<Ingested> sink) {
      this.sink = sink;
    }

    @Override
    public SinkWriter<Ingested> createWriter(WriterInitContext context) throws IOException {
      SinkWriter<Ingested> writer = sink.createWriter(context);
      return new SinkWriter<>() {
        @Override
        public void write(Ingested item, Context context) throws IOException, InterruptedException {
          if (SEEN.incrementAndGet() == 40_000 && FAILED.compareAndSet(false, true)) {
            FAILED_AT.set(item.item != null ? item.item.eventTimeMs : 0);
            throw new IllegalStateException("failed on purpose after 40,000 raw items");
          }
          writer.write(item, context);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
          writer.flush(endOfInput);
        }

        @Override
        public void close() throws Exception {
          writer.close();
        }
      };
    }
  }

  /** Empties the tables and the retained live topics for a second run on the same input. */
  private static void reset(TestServices services, String broker) throws Exception {
    try (var c = services.dataSource().getConnection();
        var st = c.createStatement()) {
      st.execute(
          "TRUNCATE reading, camera_event, heartbeat, dead_letter, district_metric, district_event_count, "
              + "district_snapshot, alert, incident, pipeline_accounting, device_status, device_liveness_change, "
              + "city_summary CASCADE");
    }
  }

  /**
   * What one run produced: the incidents (pattern, district, plan) with their evidence, and every
   * live snapshot.
   */
  static final class Results {
    final Map<String, String> incidents = new TreeMap<>();
    final List<DistrictSnapshot> snapshots = new ArrayList<>();
    final Set<String> livenessChanges = new TreeSet<>();
    final Set<String> deviceStatus = new TreeSet<>();

    void collect(TestServices services, CityJobRun job) throws Exception {
      for (String row :
          CityJobRun.strings(
              services,
              "SELECT pattern_id || ' ' || district || ' ' || "
                  + "coalesce(response_plan_id, '-') || '|' || incident_id || ' ' || started_at || ' ' || evidence::text "
                  + "FROM incident")) {
        incidents.put(row.substring(0, row.indexOf('|')), row.substring(row.indexOf('|') + 1));
      }
      livenessChanges.addAll(
          CityJobRun.strings(
              services,
              "SELECT device_id || ' ' || district || ' ' || online || ' ' || at "
                  + "FROM device_liveness_change"));
      deviceStatus.addAll(
          CityJobRun.strings(
              services,
              "SELECT device_id || ' ' || online || ' ' || last_seen_at || ' ' || changed_at "
                  + "FROM device_status"));
      job.published.forEach(
          (topic, payloads) -> {
            if (topic.endsWith("/live") && !topic.equals("city/v1/city/live")) {
              for (byte[] p : payloads) {
                if (p.length > 0) {
                  try {
                    DistrictSnapshot snapshot = DistrictSnapshot.parseFrom(p);
                    // Only this run's simulated time: nothing another run left on the broker.
                    if (snapshot.getWindowEndMs() > START.toEpochMilli()
                        && snapshot.getWindowEndMs() <= START.toEpochMilli() + 1_080_000) {
                      snapshots.add(snapshot);
                    }
                  } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                  }
                }
              }
            }
          });
      job.published
          .getOrDefault("city/v1/DP/incident", List.of())
          .forEach(
              p -> {
                try {
                  assertThat(Incident.parseFrom(p).getResponsePlanId()).isNotEmpty();
                } catch (InvalidProtocolBufferException e) {
                  throw new AssertionError(e);
                }
              });
    }

    /** Snapshots by district and window end, without the wall-clock generation time. */
    Map<String, String> snapshotsUpTo(long endMs) {
      Map<String, String> byKey = new TreeMap<>();
      for (DistrictSnapshot s : snapshots) {
        if (s.getWindowEndMs() <= endMs) {
          byKey.put(
              s.getDistrict() + "@" + s.getWindowEndMs(),
              s.toBuilder().clearGeneratedAtMs().build().toString());
        }
      }
      return byKey;
    }

    /**
     * Every publication of each picture, by district and window end, without the wall-clock
     * generation time: a replay publishes a window's picture again.
     */
    Map<String, List<String>> everySnapshotUpTo(long endMs) {
      Map<String, List<String>> byKey = new TreeMap<>();
      for (DistrictSnapshot s : snapshots) {
        if (s.getWindowEndMs() <= endMs) {
          byKey
              .computeIfAbsent(s.getDistrict() + "@" + s.getWindowEndMs(), k -> new ArrayList<>())
              .add(s.toBuilder().clearGeneratedAtMs().build().toString());
        }
      }
      return byKey;
    }

    double minOnlineRate(String district) {
      return minOnlineRate(district, 0);
    }

    /**
     * The lowest online rate after the first {@code afterS} simulated seconds (devices first report
     * by then).
     */
    double minOnlineRate(String district, int afterS) {
      return snapshots.stream()
          .filter(s -> s.getDistrict().equals(district))
          .filter(s -> s.getWindowEndMs() >= START.toEpochMilli() + Math.max(afterS, 200) * 1000L)
          .mapToDouble(DistrictSnapshot::getOnlineRate)
          .min()
          .orElse(Double.NaN);
    }

    double lastOnlineRate(String district) {
      return snapshots.stream()
          .filter(s -> s.getDistrict().equals(district))
          .max(Comparator.comparingLong(DistrictSnapshot::getWindowEndMs))
          .map(DistrictSnapshot::getOnlineRate)
          .orElse(Double.NaN);
    }

    double minIndex(String district) {
      return snapshots.stream()
          .filter(s -> s.getDistrict().equals(district))
          .mapToDouble(DistrictSnapshot::getSituationIndex)
          .min()
          .orElse(Double.NaN);
    }
  }

  /**
   * Closed 1 min windows: ended at least the out-of-orderness plus the allowed lateness before the
   * last reading.
   */
  static final String CLOSED =
      "date_bin('60 seconds', event_time, TIMESTAMPTZ 'epoch') "
          + "< (SELECT max(event_time) FROM reading) - INTERVAL '200 seconds'";

  static final String RECOMPUTED_WINDOWS =
      "SELECT count(*) FROM (SELECT DISTINCT district, metric, date_bin('60 "
          + "seconds', event_time, TIMESTAMPTZ 'epoch') FROM reading WHERE NOT late AND "
          + CLOSED
          + ") w";
  static final String MISMATCHES =
      WindowRecomputation.mismatches(
              "(SELECT max(event_time) FROM reading) - INTERVAL '200 seconds'")
          + " LIMIT 20";
}
