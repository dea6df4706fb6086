package io.citybrain.stream.situation;

import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.MetricStats;
import io.citybrain.seeds.CameraEventType;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.stream.CityJob;
import io.citybrain.stream.alert.AlertEvent;
import io.citybrain.stream.metric.WindowStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by district: assembles the live picture at the end of each 10 s window (an event-time timer
 * at the window's end, which fires once every upstream's results for that window are in) from the
 * window's metric statistics and camera counts, the devices online, the open alerts and the active
 * incidents, and scores the situation index.
 *
 * <p>Liveness changes, alerts and incidents are buffered and applied in event-time order at each
 * window end, so the same input gives the same pictures whatever the interleaving of the upstream
 * channels.
 *
 * <p>A window result that comes after its picture (a late re-firing: a message behind the
 * watermark) is counted in {@value #AFTER_PICTURE_METRIC}, not applied: the picture is out.
 */
public final class DistrictSituation
    extends KeyedProcessFunction<String, DistrictUpdate, SituationRecord> {
  private static final long serialVersionUID = 1L;
  private static final long LIVE_MS = CityJob.LIVE_S * 1000L;

  /** Window results that came after their window's picture. */
  public static final String AFTER_PICTURE_METRIC = "resultsAfterPicture";

  private final CitySeeds seeds;
  private final DeviceTotalsLoader deviceTotals;
  private transient SituationIndex index;
  private transient Map<String, String> categoryOfType;
  private transient Map<String, Integer> devicesTotal;
  private transient MapState<String, WindowStats> pendingStats;
  private transient MapState<String, Long> pendingEvents;
  private transient ListState<DistrictUpdate> pendingUpdates;
  private transient ValueState<Integer> online;
  private transient MapState<String, AlertEvent> openAlerts;
  private transient MapState<String, Long> incidents;
  private transient ValueState<Long> lastEmittedEnd;
  private transient Counter afterPicture;

  public DistrictSituation(CitySeeds seeds, DeviceTotalsLoader deviceTotals) {
    this.seeds = seeds;
    this.deviceTotals = deviceTotals;
  }

  @Override
  public void open(OpenContext context) throws Exception {
    index = new SituationIndex(seeds);
    categoryOfType = new HashMap<>();
    for (CameraEventType t : seeds.cameraEventTypes()) {
      categoryOfType.put(t.id(), t.gridCase().split("/")[0]);
    }
    devicesTotal = new HashMap<>(deviceTotals.load());
    pendingStats =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "pending-stats", Types.STRING, TypeInformation.of(WindowStats.class)));
    pendingEvents =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("pending-events", Types.STRING, Types.LONG));
    pendingUpdates =
        getRuntimeContext()
            .getListState(
                new ListStateDescriptor<>(
                    "pending-updates", TypeInformation.of(DistrictUpdate.class)));
    online = getRuntimeContext().getState(new ValueStateDescriptor<>("online", Types.INT));
    openAlerts =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "open-alerts", Types.STRING, TypeInformation.of(AlertEvent.class)));
    incidents =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("incidents", Types.STRING, Types.LONG));
    lastEmittedEnd =
        getRuntimeContext().getState(new ValueStateDescriptor<>("last-emitted-end", Types.LONG));
    afterPicture = getRuntimeContext().getMetricGroup().counter(AFTER_PICTURE_METRIC);
  }

  @Override
  public void processElement(DistrictUpdate update, Context ctx, Collector<SituationRecord> out)
      throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    Long emitted = lastEmittedEnd.value();
    if (update.stats != null || update.events != null) {
      long end = update.stats != null ? update.stats.windowEndMs() : update.events.windowEndMs();
      // A late re-firing of a window whose picture is out already (the watermark alone does not say
      // so right after a restore, when it starts from nothing).
      if (end - 1 <= watermark || (emitted != null && end <= emitted)) {
        afterPicture.inc();
        return;
      }
      if (update.stats != null) {
        pendingStats.put(end + "|" + update.stats.metric, update.stats);
      } else {
        pendingEvents.put(end + "|" + update.events.eventType, update.events.count);
      }
      ctx.timerService().registerEventTimeTimer(end - 1);
      return;
    }
    // A liveness change says when it happened: a device back after a message behind the watermark
    // is announced as of its offline time, later than that message's timestamp.
    update.atMs =
        update.liveness != null
            ? update.liveness.atMs
            : ctx.timestamp() == null ? watermark : ctx.timestamp();
    pendingUpdates.add(update);
    // A district whose devices all went silent still gets a picture every window: the one that
    // shows them offline.
    long end = (Math.floorDiv(update.atMs, LIVE_MS) + 1) * LIVE_MS;
    if (end - 1 > watermark && (emitted == null || end > emitted)) {
      ctx.timerService().registerEventTimeTimer(end - 1);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SituationRecord> out)
      throws Exception {
    long end = timestamp + 1;
    Long emitted = lastEmittedEnd.value();
    if (emitted != null && end <= emitted) {
      return;
    }
    lastEmittedEnd.update(end);
    applyUpdatesUpTo(timestamp);
    String prefix = end + "|";
    Map<String, WindowStats> stats = new TreeMap<>();
    for (Map.Entry<String, WindowStats> e : pendingStats.entries()) {
      if (e.getKey().startsWith(prefix)) {
        stats.put(e.getValue().metric, e.getValue());
      }
    }
    Map<String, Long> byType = new TreeMap<>();
    for (Map.Entry<String, Long> e : pendingEvents.entries()) {
      if (e.getKey().startsWith(prefix)) {
        byType.put(e.getKey().substring(prefix.length()), e.getValue());
      }
    }
    for (String metric : stats.keySet()) {
      pendingStats.remove(prefix + metric);
    }
    for (String type : byType.keySet()) {
      pendingEvents.remove(prefix + type);
    }
    String district = ctx.getCurrentKey();
    List<String> expired = new ArrayList<>();
    for (Map.Entry<String, Long> e : incidents.entries()) {
      if (e.getValue() < end - index.incidentActiveMs()) {
        expired.add(e.getKey());
      }
    }
    for (String id : expired) {
      incidents.remove(id);
    }
    List<SituationIndex.OpenAlert> alerts = new ArrayList<>();
    for (AlertEvent a : openAlerts.values()) {
      alerts.add(new SituationIndex.OpenAlert(a.metric, a.severity));
    }
    int activeIncidents = 0;
    for (String ignored : incidents.keys()) {
      activeIncidents++;
    }
    int total = devicesTotal.getOrDefault(district, 0);
    int up = Math.min(total, online.value() == null ? 0 : online.value());
    double onlineRate = total == 0 ? Double.NaN : (double) up / total;
    SituationIndex.Result result = index.compute(stats, onlineRate, alerts, activeIncidents);

    DistrictSnapshot.Builder snapshot =
        DistrictSnapshot.newBuilder()
            .setDistrict(district)
            .setWindowStartMs(end - LIVE_MS)
            .setWindowEndMs(end)
            .setDevicesOnline(up)
            .setDevicesTotal(total)
            .setOnlineRate(Double.isNaN(onlineRate) ? 0 : onlineRate)
            .setSituationIndex(Double.isNaN(result.index()) ? 0 : result.index())
            .putAllSubIndices(result.subIndices())
            .setOpenAlerts(alerts.size())
            .setOpenIncidents(activeIncidents)
            .setGeneratedAtMs(System.currentTimeMillis());
    for (WindowStats s : stats.values()) {
      MetricStats.Builder m =
          MetricStats.newBuilder()
              .setMetric(s.metric)
              .setCount(s.count)
              .setMin(s.min)
              .setMax(s.max)
              .setMean(s.mean)
              .setSum(s.sum);
      if (s.p95 != null) {
        m.setP95(s.p95);
      }
      snapshot.addMetrics(m);
    }
    Map<String, Long> byCategory = new TreeMap<>();
    byType.forEach(
        (type, n) -> byCategory.merge(categoryOfType.getOrDefault(type, "other"), n, Long::sum));
    snapshot.putAllCameraEventsByType(byType).putAllCameraEventsByCategory(byCategory);

    SituationRecord record = new SituationRecord();
    record.district = district;
    record.windowStartMs = end - LIVE_MS;
    record.windowEndMs = end;
    record.situationIndex = snapshot.getSituationIndex();
    record.devicesOnline = up;
    record.devicesTotal = total;
    record.onlineRate = snapshot.getOnlineRate();
    record.openAlerts = alerts.size();
    record.openIncidents = activeIncidents;
    record.snapshot = snapshot.build().toByteArray();
    out.collect(record);
  }

  private static String tieKey(DistrictUpdate u) {
    if (u.liveness != null) {
      return "l" + u.liveness.deviceId + (u.liveness.online ? "1" : "0");
    }
    if (u.alert != null) {
      return "a" + u.alert.alertId + (u.alert.raised ? "1" : "0");
    }
    return "i" + u.incidentId;
  }

  private void applyUpdatesUpTo(long timestamp) throws Exception {
    List<DistrictUpdate> later = new ArrayList<>();
    List<DistrictUpdate> due = new ArrayList<>();
    for (DistrictUpdate u : pendingUpdates.get()) {
      (u.atMs <= timestamp ? due : later).add(u);
    }
    if (due.isEmpty()) {
      return;
    }
    // Event-time order, ties broken by what the update is about: the same input gives the same
    // state.
    due.sort(
        Comparator.comparingLong((DistrictUpdate u) -> u.atMs)
            .thenComparing(DistrictSituation::tieKey));
    int up = online.value() == null ? 0 : online.value();
    for (DistrictUpdate u : due) {
      if (u.liveness != null) {
        up = Math.max(0, up + (u.liveness.online ? 1 : -1));
      } else if (u.alert != null) {
        if (u.alert.raised) {
          openAlerts.put(u.alert.alertId, u.alert);
        } else {
          openAlerts.remove(u.alert.alertId);
        }
      } else if (u.incidentId != null) {
        incidents.put(u.incidentId, u.incidentAtMs);
      }
    }
    online.update(up);
    pendingUpdates.update(later);
  }
}
