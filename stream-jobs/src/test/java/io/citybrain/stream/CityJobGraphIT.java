package io.citybrain.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.BrokerLogin;
import io.citybrain.ingest.sink.Ingested;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.KnownDevice;
import io.citybrain.ingest.validate.MetricRange;
import io.citybrain.ingest.validate.Registry;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Reading;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.MetricKind;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.stream.alert.AlertEvent;
import io.citybrain.stream.incident.IncidentEvent;
import io.citybrain.stream.liveness.LivenessChange;
import io.citybrain.stream.metric.EventCount;
import io.citybrain.stream.metric.WindowStats;
import io.citybrain.stream.sink.Publication;
import io.citybrain.stream.sink.ResultSinks;
import io.citybrain.stream.situation.CityRecord;
import io.citybrain.stream.situation.SituationRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole graph on a MiniCluster with test ends instead of the broker and the database (the
 * flink-training shape): a bounded source of MQTT records, an in-memory registry and device totals,
 * and sinks that keep what they get. A minute of rain in Dapeng, a dry minute in Longgang.
 */
class CityJobGraphIT {
  static final CitySeeds SEEDS = SeedLoader.load();

  /** An hour ago on a minute boundary: inside the validator's future limit, one 1 min window. */
  static final long T0 = (System.currentTimeMillis() / 60_000 - 60) * 60_000;

  static final int READINGS = 30;
  static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

  @BeforeAll
  static void runJob() throws Exception {
    COLLECTED.clear();
    CityJobConfig config =
        CityJobConfig.builder()
            // Named for the configuration's checks only: the test ends below open no connection.
            .mqttUrl("tcp://unused.invalid:1883")
            .mqttLogin(new BrokerLogin("citybrain-job", "unused"))
            .jdbcUrl("jdbc:postgresql://unused.invalid/citybrain")
            .districts(List.of("DP", "LG"))
            .build();
    CityJobIo io =
        new CityJobIo(
            new DataGeneratorSource<>(
                CityJobGraphIT::message, messages(), TypeInformation.of(MqttRecord.class)),
            CityJobGraphIT::registry,
            () -> Map.of("DP", 1, "LG", 1),
            new Collect<Ingested>("raw"),
            new CollectResults(),
            new Collect<Publication>("publish"));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    new CityJob(config, SEEDS, io).build(env);
    env.execute("city-graph-under-test");
  }

  @Test
  @DisplayName(
      "raw sink: every reading once, the repeat flagged duplicate, the unknown device rejected")
  void rawTelemetry() {
    List<Ingested> raw = collected("raw");
    assertThat(raw.stream().filter(i -> i.item != null && !i.item.duplicate)).hasSize(2 * READINGS);
    assertThat(raw.stream().filter(i -> i.item != null && i.item.duplicate)).hasSize(1);
    assertThat(raw.stream().filter(i -> i.rejection != null))
        .singleElement()
        .satisfies(i -> assertThat(i.rejection.topic()).endsWith("/DP-XX-1"));
  }

  @Test
  @DisplayName("result tables: 10 s and 1 min metrics per district, the alert raised and cleared")
  void resultTables() {
    List<WindowStats> metrics = collected("metrics");
    assertThat(metrics).filteredOn(s -> s.resolutionS == 10).hasSize(12);
    assertThat(metrics)
        .filteredOn(s -> s.resolutionS == 60 && s.district.equals("DP"))
        .singleElement()
        .satisfies(s -> assertThat(s.count).isEqualTo(READINGS));
    assertThat(collected("alert-raises"))
        .extracting(a -> ((AlertEvent) a).ruleId)
        .contains("rainfall_torrential");
    assertThat(collected("alert-clears"))
        .extracting(a -> ((AlertEvent) a).ruleId)
        .contains("rainfall_torrential");
    assertThat(collected("snapshots")).isNotEmpty();
    assertThat(collected("city-summary")).isNotEmpty();
  }

  @Test
  @DisplayName(
      "one publisher for every result: live pictures in window order per topic, the city summary, alerts")
  void publications() throws Exception {
    Map<String, List<Publication>> byTopic = new HashMap<>();
    for (Publication p : this.<Publication>collected("publish")) {
      byTopic.computeIfAbsent(p.topic, t -> new ArrayList<>()).add(p);
    }
    assertThat(byTopic)
        .containsKeys(Topics.live("DP"), Topics.live("LG"), Topics.cityLive(), Topics.alert("DP"));
    for (String district : List.of("DP", "LG")) {
      List<Long> ends = new ArrayList<>();
      for (Publication p : byTopic.get(Topics.live(district))) {
        assertThat(p.retained).isTrue();
        ends.add(DistrictSnapshot.parseFrom(p.payload).getWindowEndMs());
      }
      assertThat(ends).as(district + " pictures in order").isSorted().doesNotHaveDuplicates();
    }
    assertThat(Alert.parseFrom(byTopic.get(Topics.alert("DP")).get(0).payload).getRuleId())
        .startsWith("rainfall_");
  }

  /**
   * Two rain gauges reporting every 2 s for a minute: Dapeng's torrential for 30 s, then light;
   * Longgang's light. Then one repeat and one message from a device the registry does not know.
   */
  static long messages() {
    return 2L * READINGS + 2;
  }

  static MqttRecord message(long index) {
    int i = (int) index;
    if (i == 2 * READINGS) {
      // The last reading again (not the first: the first is older than the allowed lateness by
      // now).
      return record("DP", "DP-RG-1", READINGS - 1, 2);
    }
    if (i == 2 * READINGS + 1) {
      return new MqttRecord(
          Topics.reading("DP", "DP-XX-1"), reading("DP-XX-1", "DP", 1, T0, 1).toByteArray(), 0, T0);
    }
    boolean dp = i % 2 == 0;
    int n = i / 2;
    double rain = dp ? (n < READINGS / 2 ? 60 : 2) : 2;
    return record(dp ? "DP" : "LG", dp ? "DP-RG-1" : "LG-RG-1", n, rain);
  }

  private static MqttRecord record(String district, String device, int n, double rain) {
    long at = T0 + n * 2_000L;
    return new MqttRecord(
        Topics.reading(district, device),
        reading(device, district, n + 1, at, rain).toByteArray(),
        0,
        at + 50);
  }

  private static Reading reading(String device, String district, long seq, long at, double v) {
    return Reading.newBuilder()
        .setDeviceId(device)
        .setDistrict(district)
        .setSeq(seq)
        .setEventTimeMs(at)
        .setMetric("rainfall_mm_h")
        .setValue(v)
        .build();
  }

  static Registry registry() {
    Map<String, MetricRange> ranges = new HashMap<>();
    for (MetricKind m : SEEDS.metrics()) {
      if (m.min() != null && m.max() != null) {
        ranges.put(m.id(), new MetricRange(m.min(), m.max()));
      }
    }
    return new Registry(
        Map.of(
            "DP-RG-1", new KnownDevice("DP-RG-1", "DP", "sensor", 2, 22.6, 114.5),
            "LG-RG-1", new KnownDevice("LG-RG-1", "LG", "sensor", 2, 22.7, 114.2)),
        ranges,
        SEEDS.cameraEventTypes().stream().map(t -> t.id()).collect(Collectors.toSet()));
  }

  @SuppressWarnings("unchecked")
  private <T> List<T> collected(String name) {
    return new ArrayList<>(
        (Queue<T>) (Queue<?>) COLLECTED.getOrDefault(name, new ConcurrentLinkedQueue<>()));
  }

  /** Keeps what it is given in this JVM, by name: the MiniCluster runs here. */
  static final class Collect<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private final String name;

    Collect(String name) {
      this.name = name;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      Queue<Object> into = COLLECTED.computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>());
      return new SinkWriter<>() {
        @Override
        public void write(T element, Context context) {
          into.add(element);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }

  /** Every result table as a {@link Collect} under the table's name. */
  static final class CollectResults implements ResultSinks {
    @Override
    public Sink<WindowStats> metrics() {
      return new Collect<>("metrics");
    }

    @Override
    public Sink<EventCount> eventCounts() {
      return new Collect<>("event-counts");
    }

    @Override
    public Sink<LivenessChange> deviceStatus() {
      return new Collect<>("device-status");
    }

    @Override
    public Sink<LivenessChange> livenessHistory() {
      return new Collect<>("liveness-history");
    }

    @Override
    public Sink<AlertEvent> alertRaises() {
      return new Collect<>("alert-raises");
    }

    @Override
    public Sink<AlertEvent> alertClears() {
      return new Collect<>("alert-clears");
    }

    @Override
    public Sink<IncidentEvent> incidents() {
      return new Collect<>("incidents");
    }

    @Override
    public Sink<SituationRecord> snapshots() {
      return new Collect<>("snapshots");
    }

    @Override
    public Sink<CityRecord> citySummary() {
      return new Collect<>("city-summary");
    }
  }
}
