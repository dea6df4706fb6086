package io.citybrain.stream.situation;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.stream.liveness.DeviceLiveness;
import io.citybrain.stream.liveness.LivenessChange;
import io.citybrain.stream.metric.WindowStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Liveness and the district picture chained in Flink's operator harnesses, fed one seeded city
 * input (cameras whose first detection precedes their heartbeat by up to 2 s, on another lane;
 * sensors; late starters; devices silent for 50 s) in many arrival orders: each lane in event-time
 * order up to the out-of-orderness bound, the lanes interleaved at random or one lane's backlog
 * first, the watermark the lanes' minimum. Every order, and every snapshot and restore in the
 * middle of a window followed by a replay in another order, must give the same changes and
 * pictures.
 */
class ArrivalOrderTest {
  static final long BOUND_MS = 5_000;
  static final long END_MS = 240_000;
  static final int CAMERAS = 60;
  static final int SENSORS = 40;
  static final DeviceTotalsLoader TOTALS = () -> Map.of("DP", CAMERAS + SENSORS);

  @Test
  @DisplayName(
      "eight seeded arrival orders within the bound (random interleavings, one lane's backlog first): "
          + "identical liveness changes and identical pictures")
  void arrivalOrderDoesNotMatter() throws Exception {
    List<List<Arrival>> lanes = lanes(new Random(20190429));
    Outcome reference = run(inOrder(lanes));
    assertThat(reference.pictures).as("a picture per window").hasSizeGreaterThanOrEqualTo(20);
    assertThat(reference.changes).as("online and offline changes").hasSizeGreaterThan(150);
    List<String> differences = new ArrayList<>();
    for (long seed = 1; seed <= 8; seed++) {
      Outcome other = run(shuffled(lanes, new Random(seed), seed % 2 == 0 ? 0 : 1));
      differences.addAll(reference.differences(other, "order " + seed));
    }
    assertThat(differences).as("differences from the event-time order").isEmpty();
  }

  @Test
  @DisplayName(
      "snapshot and restore at five points mid-window, the replay in another order (the heartbeat "
          + "lane's backlog first): the changes and every picture, re-emitted ones included, as an "
          + "uninterrupted run's")
  void restoreMidWindow() throws Exception {
    List<List<Arrival>> lanes = lanes(new Random(7));
    List<Arrival> order = shuffled(lanes, new Random(11), 0);
    Outcome uninterrupted = run(order);
    List<String> differences = new ArrayList<>();
    for (double cutAt : new double[] {0.13, 0.31, 0.47, 0.62, 0.88}) {
      int cut = (int) (order.size() * cutAt);
      Chain before = new Chain();
      before.feed(order.subList(0, cut));
      Checkpoint checkpoint = before.snapshot();
      long openWindowEnd = Math.floorDiv(checkpoint.watermark + 1, 10_000) * 10_000 + 10_000;
      assertThat(checkpoint.watermark).as("the checkpoint is past the first windows").isPositive();
      // The job goes on past the checkpoint (emitting pictures and changes) before it fails.
      before.feed(order.subList(cut, Math.min(order.size(), cut + 400)));
      before.close();
      Chain after = Chain.restore(checkpoint);
      after.outcome = before.outcome;
      List<List<Arrival>> remaining = remainingLanes(lanes, order.subList(cut, order.size()));
      after.feed(backlogFirst(remaining, 0));
      after.finish();
      assertThat(after.outcome.pictures)
          .as("the window open at the checkpoint is pictured again after the restore")
          .containsKey(openWindowEnd);
      differences.addAll(
          uninterrupted.differences(
              after.outcome, "restore at arrival " + cut + " of " + order.size()));
    }
    assertThat(differences).as("differences from the uninterrupted run").isEmpty();
  }

  /** What a run emitted: distinct changes, and every picture of each window (re-emissions too). */
  static final class Outcome {
    final TreeSet<String> changes = new TreeSet<>();
    final Map<Long, List<String>> pictures = new TreeMap<>();

    /** Where {@code other} differs, in words with numbers. */
    List<String> differences(Outcome other, String what) {
      List<String> out = new ArrayList<>();
      TreeSet<String> missing = new TreeSet<>(changes);
      missing.removeAll(other.changes);
      TreeSet<String> extra = new TreeSet<>(other.changes);
      extra.removeAll(changes);
      if (!missing.isEmpty() || !extra.isEmpty()) {
        out.add(
            what
                + ": "
                + missing.size()
                + " changes missing (e.g. "
                + missing.stream().limit(3).toList()
                + "), "
                + extra.size()
                + " extra (e.g. "
                + extra.stream().limit(3).toList()
                + ")");
      }
      int differing = 0;
      String first = null;
      for (Map.Entry<Long, List<String>> e : pictures.entrySet()) {
        List<String> theirs = other.pictures.getOrDefault(e.getKey(), List.of());
        String mine = e.getValue().get(0);
        if (theirs.isEmpty() || theirs.stream().anyMatch(p -> !p.equals(mine))) {
          differing++;
          if (first == null) {
            first =
                "window "
                    + e.getKey()
                    + " devices online "
                    + online(mine)
                    + " vs "
                    + theirs.stream().map(ArrivalOrderTest::online).toList();
          }
        }
      }
      if (differing > 0 || other.pictures.size() != pictures.size()) {
        out.add(
            what
                + ": "
                + differing
                + " of "
                + pictures.size()
                + " windows' pictures differ ("
                + first
                + "), windows "
                + other.pictures.size());
      }
      return out;
    }
  }

  /** Liveness feeding the district picture, with the 10 s stats the window operator would add. */
  static final class Chain {
    KeyedOneInputStreamOperatorTestHarness<String, TelemetryItem, LivenessChange> liveness;
    KeyedOneInputStreamOperatorTestHarness<String, DistrictUpdate, SituationRecord> situation;
    Outcome outcome = new Outcome();
    final long[] laneMax = {Long.MIN_VALUE, Long.MIN_VALUE};
    long watermark = Long.MIN_VALUE;
    long statsUpTo;

    Chain() throws Exception {
      this(null);
    }

    private Chain(Checkpoint from) throws Exception {
      liveness =
          new KeyedOneInputStreamOperatorTestHarness<>(
              new KeyedProcessOperator<>(new DeviceLiveness(3)),
              item -> item.deviceId,
              Types.STRING);
      situation =
          new KeyedOneInputStreamOperatorTestHarness<>(
              new KeyedProcessOperator<>(
                  new DistrictSituation(DistrictSituationTest.SEEDS, TOTALS)),
              u -> u.district,
              Types.STRING);
      if (from != null) {
        liveness.initializeState(from.liveness);
        situation.initializeState(from.situation);
        statsUpTo = from.statsUpTo;
      }
      liveness.open();
      situation.open();
    }

    /** A restored job: operator state from the checkpoint, watermarks from nothing. */
    static Chain restore(Checkpoint checkpoint) throws Exception {
      return new Chain(checkpoint);
    }

    void feed(List<Arrival> arrivals) throws Exception {
      for (Arrival a : arrivals) {
        liveness.processElement(new StreamRecord<>(a.item(), a.atMs));
        laneMax[a.lane] = Math.max(laneMax[a.lane], a.atMs);
        long w = Math.min(laneMax[0], laneMax[1]);
        if (w != Long.MIN_VALUE && w - BOUND_MS - 1 > watermark) {
          watermark = w - BOUND_MS - 1;
          liveness.processWatermark(new Watermark(watermark));
        }
        forward();
      }
    }

    void finish() throws Exception {
      liveness.processWatermark(new Watermark(END_MS + 60_000));
      forward();
      close();
    }

    Checkpoint snapshot() throws Exception {
      forward();
      return new Checkpoint(
          liveness.snapshot(1, 1), situation.snapshot(1, 1), statsUpTo, watermark);
    }

    void close() throws Exception {
      liveness.close();
      situation.close();
    }

    /** Liveness's output, in order, into the picture; the stats of each window before its end. */
    private void forward() throws Exception {
      Object o;
      while ((o = liveness.getOutput().poll()) != null) {
        if (o instanceof StreamRecord<?> r) {
          LivenessChange c = (LivenessChange) r.getValue();
          outcome.changes.add(r.getTimestamp() + " " + c + " last " + c.lastSeenMs);
          situation.processElement(new StreamRecord<>(DistrictUpdate.of(c), r.getTimestamp()));
        } else if (o instanceof Watermark w) {
          while (statsUpTo + 10_000 - 1 <= w.getTimestamp() && statsUpTo < END_MS) {
            situation.processElement(stats(statsUpTo));
            statsUpTo += 10_000;
          }
          situation.processWatermark(w);
        }
      }
      Object p;
      while ((p = situation.getOutput().poll()) != null) {
        if (p instanceof StreamRecord<?> r) {
          SituationRecord s = (SituationRecord) r.getValue();
          outcome
              .pictures
              .computeIfAbsent(s.windowEndMs, k -> new ArrayList<>())
              .add(
                  DistrictSnapshot.parseFrom(s.snapshot).toBuilder()
                      .clearGeneratedAtMs()
                      .build()
                      .toString());
        }
      }
    }
  }

  record Checkpoint(
      OperatorSubtaskState liveness,
      OperatorSubtaskState situation,
      long statsUpTo,
      long watermark) {}

  static Outcome run(List<Arrival> order) throws Exception {
    Chain chain = new Chain();
    chain.feed(order);
    chain.finish();
    return chain.outcome;
  }

  static StreamRecord<DistrictUpdate> stats(long start) {
    WindowStats s = new WindowStats();
    s.district = "DP";
    s.metric = "pm25";
    s.resolutionS = 10;
    s.windowStartMs = start;
    s.count = 1;
    s.min = s.max = s.sum = s.mean = 30;
    return new StreamRecord<>(DistrictUpdate.of(s), start + 9_999);
  }

  static String online(String picture) {
    int i = picture.indexOf("devices_online: ");
    return i < 0 ? "0" : picture.substring(i + 16, picture.indexOf('\n', i));
  }

  /** One message: its device, event time, and lane (0 heartbeats, 1 readings and detections). */
  record Arrival(String device, long atMs, int lane, int intervalS) {
    TelemetryItem item() {
      TelemetryItem item = new TelemetryItem();
      item.kind = lane == 0 ? TelemetryItem.HEARTBEAT : TelemetryItem.CAMERA;
      item.deviceId = device;
      item.district = "DP";
      item.eventTimeMs = atMs;
      item.intervalS = intervalS;
      return item;
    }
  }

  /**
   * The city's messages per lane, each in the order it reaches the broker: event time plus a delay
   * below the out-of-orderness bound.
   */
  static List<List<Arrival>> lanes(Random random) {
    List<Arrival> all = new ArrayList<>();
    for (int d = 0; d < CAMERAS + SENSORS; d++) {
      boolean camera = d < CAMERAS;
      String id = (camera ? "DP-CAM-" : "DP-AQ-") + d;
      long start =
          random.nextInt(4) == 0 ? 20_000 + random.nextInt(120_000) : random.nextInt(10_000);
      boolean silent = random.nextInt(5) == 0;
      long silentFrom = 60_000 + random.nextInt(60_000);
      // A camera's heartbeat follows its first detection by up to 2 s, on the other lane.
      long heartbeat = camera ? start + random.nextInt(2_000) : start;
      for (long t = heartbeat; t < END_MS; t += 10_000) {
        if (!(silent && t >= silentFrom && t < silentFrom + 50_000)) {
          all.add(new Arrival(id, t, 0, 10));
        }
      }
      for (long t = start; t < END_MS; t += camera ? 3_000 + random.nextInt(6_000) : 10_000) {
        if (!(silent && t >= silentFrom && t < silentFrom + 50_000)) {
          all.add(new Arrival(id, t, 1, 10));
        }
      }
    }
    List<List<Arrival>> lanes = List.of(new ArrayList<>(), new ArrayList<>());
    List<long[]> keyed = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      keyed.add(new long[] {all.get(i).atMs + random.nextInt((int) BOUND_MS), i});
    }
    keyed.sort(Comparator.comparingLong((long[] k) -> k[0]).thenComparingLong(k -> k[1]));
    for (long[] k : keyed) {
      Arrival a = all.get((int) k[1]);
      lanes.get(a.lane).add(a);
    }
    return lanes;
  }

  /** The lanes merged by event time: the order an ideal single connection would give. */
  static List<Arrival> inOrder(List<List<Arrival>> lanes) {
    List<Arrival> all = new ArrayList<>(lanes.get(0));
    all.addAll(lanes.get(1));
    all.sort(Comparator.comparingLong(Arrival::atMs).thenComparing(Arrival::device));
    return all;
  }

  /**
   * The lanes interleaved by {@code random} in stretches of up to 300 messages, the first from
   * {@code firstLane}.
   */
  static List<Arrival> shuffled(List<List<Arrival>> lanes, Random random, int firstLane) {
    List<Arrival> out = new ArrayList<>();
    int[] next = new int[2];
    int lane = firstLane;
    while (next[0] < lanes.get(0).size() || next[1] < lanes.get(1).size()) {
      int stretch = 1 + random.nextInt(300);
      for (int i = 0; i < stretch && next[lane] < lanes.get(lane).size(); i++) {
        out.add(lanes.get(lane).get(next[lane]++));
      }
      lane = 1 - lane;
    }
    return out;
  }

  /** After a restore: {@code lane}'s backlog is redelivered first, then the other's. */
  static List<Arrival> backlogFirst(List<List<Arrival>> lanes, int lane) {
    List<Arrival> out = new ArrayList<>(lanes.get(lane));
    out.addAll(lanes.get(1 - lane));
    return out;
  }

  /** The messages of {@code rest} per lane, in their lanes' order. */
  static List<List<Arrival>> remainingLanes(List<List<Arrival>> lanes, List<Arrival> rest) {
    List<List<Arrival>> out = List.of(new ArrayList<>(), new ArrayList<>());
    java.util.Set<Arrival> left =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    left.addAll(rest);
    for (int l = 0; l < 2; l++) {
      for (Arrival a : lanes.get(l)) {
        if (left.contains(a)) {
          out.get(l).add(a);
        }
      }
    }
    return out;
  }
}
