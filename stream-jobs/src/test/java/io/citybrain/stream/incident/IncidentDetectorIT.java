package io.citybrain.stream.incident;

import static io.citybrain.stream.incident.Signals.LAT;
import static io.citybrain.stream.incident.Signals.LON;
import static io.citybrain.stream.incident.Signals.north;
import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.SeedLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The detection graph on a MiniCluster (parallelism 2, Kryo disabled) with synthetic signals and
 * explicit times.
 */
class IncidentDetectorIT {
  private static final CitySeeds SEEDS = SeedLoader.load();
  private static final long T0 = 1_700_000_000_000L;
  private static final long S = 1_000;
  private static final long MIN = 60 * S;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /**
   * Runs the detector over the signals (sorted by time, 10 s out-of-orderness) and returns
   * incidents by id.
   */
  static List<IncidentEvent> detect(List<Signal> signals) throws Exception {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    List<Signal> sorted = new ArrayList<>(signals);
    sorted.sort(Comparator.comparingLong(s -> s.timeMs));
    DataStream<Signal> in =
        env.fromData(sorted, TypeInformation.of(Signal.class))
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<Signal>forBoundedOutOfOrderness(Duration.ofSeconds(10))
                    .withTimestampAssigner((s, previous) -> s.timeMs));
    List<IncidentEvent> out = new ArrayList<>();
    try (CloseableIterator<IncidentEvent> it =
        IncidentDetector.detect(in, SEEDS).executeAndCollect("incidents")) {
      it.forEachRemaining(out::add);
    }
    out.sort(Comparator.comparing(e -> e.incidentId));
    return out;
  }

  private static List<String> ids(List<IncidentEvent> incidents) {
    return incidents.stream().map(e -> e.incidentId).toList();
  }

  private static Signal flooding(String district, long t, String camera, long seq) {
    return Signals.camera(district, t, "road_flooding", camera, seq, LAT, LON);
  }

  private static List<Signal> flood(String district, long start, long stepMs) {
    return List.of(
        Signals.alert(district, start, "rainfall_heavy", "a-rain-" + district),
        Signals.alert(district, start + stepMs, "water_level_warning", "a-water-" + district),
        flooding(district, start + 2 * stepMs, "cam-1", 1),
        flooding(district, start + 3 * stepMs, "cam-2", 1),
        flooding(district, start + 4 * stepMs, "cam-1", 2));
  }

  @Test
  @DisplayName(
      "A flood in DP is one critical flood incident naming flood_response, with its evidence and alert ids")
  void flood() throws Exception {
    List<Signal> in = new ArrayList<>(flood("DP", T0, 5 * MIN));
    // The flood goes on: more flooded cameras, a second rainfall alert and water alert later on.
    in.add(flooding("DP", T0 + 21 * MIN, "cam-3", 1));
    in.add(Signals.alert("DP", T0 + 22 * MIN, "rainfall_heavy", "a-rain-2"));
    in.add(Signals.alert("DP", T0 + 23 * MIN, "water_level_warning", "a-water-2"));
    for (int i = 0; i < 4; i++) {
      in.add(flooding("DP", T0 + 24 * MIN + i * S, "cam-4", i));
    }

    List<IncidentEvent> out = detect(in);

    // The later match is the same incident, widened with its alerts (ids sorted) and evidence.
    assertThat(out)
        .extracting(e -> e.incidentId + "#" + e.revision)
        .containsExactlyInAnyOrder("flood:DP:" + T0 + "#0", "flood:DP:" + T0 + "#1");
    IncidentEvent widened = out.stream().filter(e -> e.revision == 1).findFirst().orElseThrow();
    assertThat(widened.alertIds)
        .containsExactly("a-rain-2", "a-rain-DP", "a-water-2", "a-water-DP");
    assertThat(widened.evidence).hasSize(10);
    assertThat(widened.detectedAtMs).isEqualTo(T0 + 20 * MIN);
    List<IncidentEvent> incidents = out.stream().filter(e -> e.revision == 0).toList();
    assertThat(ids(incidents)).containsExactly("flood:DP:" + T0);
    IncidentEvent flood = incidents.get(0);
    assertThat(flood.patternId).isEqualTo("flood");
    assertThat(flood.district).isEqualTo("DP");
    assertThat(flood.severity).isEqualTo("critical");
    assertThat(flood.responsePlanId).isEqualTo("flood_response");
    assertThat(flood.startedAtMs).isEqualTo(T0);
    assertThat(flood.detectedAtMs).isEqualTo(T0 + 20 * MIN);
    assertThat(flood.summary)
        .isEqualTo("Urban flooding in DP: rainfall_heavy, water_level_warning, 3× road_flooding");
    assertThat(flood.alertIds).containsExactly("a-rain-DP", "a-water-DP");
    assertThat(flood.evidence)
        .extracting(e -> e.kind + ":" + e.what + ":" + e.deviceId + "#" + e.seq)
        .containsExactly(
            "alert:rainfall_heavy:null#0",
            "alert:water_level_warning:null#0",
            "camera:road_flooding:cam-1#1",
            "camera:road_flooding:cam-2#1",
            "camera:road_flooding:cam-1#2");
    assertThat(flood.evidence.get(2).lat).isEqualTo(LAT);
  }

  @Test
  @DisplayName("The same flood spread over more than 30 minutes is no incident")
  void floodTooSlow() throws Exception {
    assertThat(detect(flood("DP", T0, 8 * MIN))).isEmpty();
  }

  @Test
  @DisplayName(
      "Fire: smoke and a hot reading 200 m away, or a second camera 100 m away; not 2 km away, not one camera")
  void fire() throws Exception {
    List<Signal> in =
        List.of(
            Signals.camera("FT", T0, "smoke_fire", "cam-1", 1, LAT, LON),
            Signals.reading("FT", T0 + MIN, "temperature_c", 55, "t-1", 1, north(200), LON),
            Signals.camera("LH", T0, "smoke_fire", "cam-1", 1, LAT, LON),
            Signals.reading("LH", T0 + MIN, "temperature_c", 55, "t-1", 1, north(2000), LON),
            Signals.camera("NS", T0, "smoke_fire", "cam-1", 1, LAT, LON),
            Signals.camera("NS", T0 + 30 * S, "smoke_fire", "cam-2", 1, north(100), LON),
            Signals.camera("YT", T0, "smoke_fire", "cam-1", 1, LAT, LON),
            Signals.camera("YT", T0 + 30 * S, "smoke_fire", "cam-1", 2, LAT, LON));

    List<IncidentEvent> incidents = detect(in);

    assertThat(ids(incidents)).containsExactly("fire:FT:" + T0, "fire:NS:" + T0);
    assertThat(incidents)
        .allSatisfy(
            e -> {
              assertThat(e.responsePlanId).isEqualTo("fire_response");
              assertThat(e.alertIds).isEmpty();
            });
    assertThat(incidents.get(0).summary)
        .isEqualTo("Fire confirmed in FT: smoke_fire, temperature_c");
    assertThat(incidents.get(1).evidence)
        .extracting(e -> e.deviceId)
        .containsExactly("cam-1", "cam-2");
  }

  @Test
  @DisplayName("Crowd surge: crowd_dense then 5 crowd_gathering events; 4 are not enough")
  void crowdSurge() throws Exception {
    List<Signal> in = new ArrayList<>();
    for (String district : List.of("DP", "FT")) {
      in.add(Signals.alert(district, T0, "crowd_dense", "a-crowd-" + district));
      int events = district.equals("DP") ? 5 : 4;
      for (int i = 0; i < events; i++) {
        in.add(
            Signals.camera(
                district, T0 + (i + 1) * MIN, "crowd_gathering", "cam-" + i, 1, LAT, LON));
      }
    }

    List<IncidentEvent> incidents = detect(in);

    assertThat(ids(incidents)).containsExactly("crowd_surge:DP:" + T0);
    assertThat(incidents.get(0).responsePlanId).isEqualTo("crowd_control");
    assertThat(incidents.get(0).severity).isEqualTo("high");
    assertThat(incidents.get(0).evidence).hasSize(6);
    assertThat(incidents.get(0).summary)
        .isEqualTo("Crowd surge in DP: crowd_dense, 5× crowd_gathering");
  }

  @Test
  @DisplayName("A traffic accident followed by congestion is one accident incident")
  void accident() throws Exception {
    List<IncidentEvent> incidents =
        detect(
            List.of(
                Signals.camera("LG", T0, "traffic_accident", "cam-9", 4, LAT, LON),
                Signals.alert("LG", T0 + 7 * MIN, "traffic_slow", "a-slow")));

    assertThat(ids(incidents)).containsExactly("accident_congestion:LG:" + T0);
    assertThat(incidents.get(0).responsePlanId).isEqualTo("accident_response");
    assertThat(incidents.get(0).alertIds).containsExactly("a-slow");
    assertThat(incidents.get(0).detectedAtMs).isEqualTo(T0 + 7 * MIN);
  }

  @Test
  @DisplayName("5 alerts of any rule in 10 minutes are one storm incident; 4 are none")
  void storm() throws Exception {
    List<String> rules =
        List.of("noise_high", "pm25_high", "noise_high", "temperature_spike", "pm25_high");
    List<Signal> in = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      in.add(Signals.alert("DP", T0 + i * 2 * MIN, rules.get(i), "a-dp-" + i));
      if (i < 4) {
        in.add(Signals.alert("FT", T0 + i * 2 * MIN, rules.get(i), "a-ft-" + i));
      }
    }

    List<IncidentEvent> incidents = detect(in);

    assertThat(ids(incidents)).containsExactly("alert_storm:DP:" + T0);
    IncidentEvent storm = incidents.get(0);
    assertThat(storm.responsePlanId).isEqualTo("district_coordination");
    assertThat(storm.alertIds).containsExactly("a-dp-0", "a-dp-1", "a-dp-2", "a-dp-3", "a-dp-4");
    assertThat(storm.summary)
        .isEqualTo(
            "Many alerts in one district in DP: 2× noise_high, 2× pm25_high, temperature_spike");
  }

  @Test
  @DisplayName(
      "12 alerts in 10 minutes are one storm incident, widened until it links all 12, sorted")
  void stormLinksEveryAlert() throws Exception {
    List<Signal> in = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      // Ids whose order is not arrival order.
      String id = String.format("a-%02d", (i * 7) % 12);
      ids.add(id);
      in.add(Signals.alert("DP", T0 + i * 50 * S, i % 2 == 0 ? "noise_high" : "pm25_high", id));
    }

    List<IncidentEvent> incidents = detect(in);

    assertThat(incidents).extracting(e -> e.incidentId).containsOnly("alert_storm:DP:" + T0);
    assertThat(incidents)
        .extracting(e -> e.revision)
        .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
    IncidentEvent widest =
        incidents.stream().max(Comparator.comparingInt(e -> e.revision)).orElseThrow();
    assertThat(widest.alertIds).isEqualTo(ids.stream().sorted().toList());
    assertThat(widest.evidence).hasSize(12);
    assertThat(widest.detectedAtMs).as("the first detection's").isEqualTo(T0 + 200 * S);
  }

  @Test
  @DisplayName("Signals of two districts never combine")
  void districtsNeverCombine() throws Exception {
    List<Signal> in =
        List.of(
            Signals.alert("DP", T0, "rainfall_heavy", "a1"),
            Signals.alert("DP", T0 + MIN, "water_level_warning", "a2"),
            flooding("FT", T0 + 2 * MIN, "cam-1", 1),
            flooding("FT", T0 + 3 * MIN, "cam-2", 1),
            flooding("FT", T0 + 4 * MIN, "cam-3", 1),
            Signals.alert("FT", T0 + 5 * MIN, "noise_high", "a3"),
            Signals.alert("FT", T0 + 6 * MIN, "noise_high", "a4"),
            Signals.alert("FT", T0 + 7 * MIN, "noise_high", "a5"),
            Signals.camera("NS", T0, "smoke_fire", "cam-1", 1, LAT, LON),
            Signals.camera("LH", T0 + S, "smoke_fire", "cam-2", 1, LAT, LON));
    assertThat(detect(in)).isEmpty();
  }

  /**
   * 5,000 road_flooding events before the alerts, then the flood with 5,000 unrelated signals
   * interleaved (other camera types, readings below thresholds) and 2,000 more road_flooding events
   * after it.
   */
  static List<Signal> busyDistrict() {
    Random random = new Random(42);
    List<Signal> in = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      in.add(flooding("DP", T0 + i * 100L, "cam-" + random.nextInt(500), i));
    }
    long start = T0 + 10 * MIN;
    in.addAll(flood("DP", start, 2 * MIN));
    String[] unrelated = {"illegal_parking", "garbage_overflow", "street_vending"};
    for (int i = 0; i < 5_000; i++) {
      long t = start + i * 200L;
      in.add(
          i % 2 == 0
              ? Signals.camera(
                  "DP", t, unrelated[i % 3], "cam-" + random.nextInt(500), 10_000 + i, LAT, LON)
              : Signals.reading(
                  "DP",
                  t,
                  "temperature_c",
                  20 + random.nextInt(25),
                  "t-" + random.nextInt(50),
                  i,
                  LAT,
                  LON));
    }
    for (int i = 0; i < 2_000; i++) {
      in.add(flooding("DP", start + 10 * MIN + i * 100L, "cam-" + random.nextInt(500), 20_000 + i));
    }
    return in;
  }

  @Test
  @DisplayName("12,000 background signals in the flooded district: one flood incident, in seconds")
  void busyDistrictStaysBounded() throws Exception {
    long began = System.nanoTime();
    List<IncidentEvent> incidents = detect(busyDistrict());
    Duration took = Duration.ofNanos(System.nanoTime() - began);

    assertThat(ids(incidents)).containsExactly("flood:DP:" + (T0 + 10 * MIN));
    assertThat(incidents.get(0).evidence).hasSize(5);
    assertThat(incidents.get(0).detectedAtMs).isEqualTo(T0 + 18 * MIN);
    assertThat(took).as("took %s", took).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  @DisplayName(
      "A camera re-reporting smoke 4,000 times in 4 minutes, then a second camera: one fire, in seconds")
  void firstStepBurstStaysBounded() throws Exception {
    List<Signal> in = new ArrayList<>();
    for (int i = 0; i < 4_000; i++) {
      in.add(Signals.camera("FT", T0 + i * 60L, "smoke_fire", "cam-1", i, LAT, LON));
      in.add(Signals.camera("LG", T0 + i * 60L, "traffic_accident", "cam-7", i, LAT, LON));
    }
    in.add(Signals.camera("FT", T0 + 4 * MIN + 30 * S, "smoke_fire", "cam-2", 1, north(100), LON));
    long began = System.nanoTime();
    List<IncidentEvent> incidents = detect(in);
    Duration took = Duration.ofNanos(System.nanoTime() - began);

    assertThat(ids(incidents)).containsExactly("fire:FT:" + T0);
    assertThat(incidents.get(0).evidence)
        .extracting(e -> e.deviceId + "#" + e.seq)
        .containsExactly("cam-1#0", "cam-2#1");
    assertThat(took).as("took %s", took).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  @DisplayName("The same input twice, even reordered within a timestamp, gives identical incidents")
  void replayIsDeterministic() throws Exception {
    List<Signal> in = new ArrayList<>(busyDistrict());
    in.addAll(flood("FT", T0, MIN));
    in.add(Signals.camera("NS", T0, "smoke_fire", "cam-1", 1, LAT, LON));
    // Two candidates at the same instant: which one confirms the fire must not depend on arrival
    // order.
    in.add(Signals.camera("NS", T0 + MIN, "smoke_fire", "cam-2", 1, north(100), LON));
    in.add(Signals.reading("NS", T0 + MIN, "temperature_c", 60, "t-1", 1, north(50), LON));

    List<IncidentEvent> first = detect(in);
    List<Signal> reversed = new ArrayList<>(in);
    Collections.reverse(reversed);
    List<IncidentEvent> second = detect(reversed);

    assertThat(ids(first))
        .containsExactly("fire:NS:" + T0, "flood:DP:" + (T0 + 10 * MIN), "flood:FT:" + T0);
    assertThat(second).isEqualTo(first);
  }
}
