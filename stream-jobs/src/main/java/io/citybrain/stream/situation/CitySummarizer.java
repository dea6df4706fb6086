package io.citybrain.stream.situation;

import io.citybrain.proto.v1.CitySummary;
import io.citybrain.proto.v1.DistrictBrief;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One key for the whole city: at each window end, the latest picture of every district becomes the
 * city summary ("one key knows the whole picture"), districts worst first.
 */
public final class CitySummarizer
    extends KeyedProcessFunction<String, SituationRecord, CityRecord> {
  private static final long serialVersionUID = 1L;
  private transient MapState<String, SituationRecord> pending;
  private transient MapState<String, SituationRecord> latest;

  @Override
  public void open(OpenContext context) {
    pending =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "pending", Types.STRING, TypeInformation.of(SituationRecord.class)));
    latest =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "latest", Types.STRING, TypeInformation.of(SituationRecord.class)));
  }

  @Override
  public void processElement(SituationRecord record, Context ctx, Collector<CityRecord> out)
      throws Exception {
    pending.put(record.windowEndMs + "|" + record.district, record);
    ctx.timerService().registerEventTimeTimer(record.windowEndMs - 1);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<CityRecord> out)
      throws Exception {
    long end = timestamp + 1;
    List<String> done = new ArrayList<>();
    for (Map.Entry<String, SituationRecord> e : pending.entries()) {
      if (e.getValue().windowEndMs <= end) {
        SituationRecord held = latest.get(e.getValue().district);
        // Never back in time: a replayed older picture does not replace a newer one.
        if (held == null || held.windowEndMs <= e.getValue().windowEndMs) {
          latest.put(e.getValue().district, e.getValue());
        }
        done.add(e.getKey());
      }
    }
    for (String key : done) {
      pending.remove(key);
    }
    List<SituationRecord> districts = new ArrayList<>();
    latest.values().forEach(districts::add);
    districts.sort(
        Comparator.comparingDouble((SituationRecord r) -> r.situationIndex)
            .thenComparing(r -> r.district));
    long online = 0;
    long total = 0;
    long alerts = 0;
    long incidents = 0;
    double indexSum = 0;
    CitySummary.Builder summary = CitySummary.newBuilder().setWindowEndMs(end);
    for (SituationRecord r : districts) {
      online += r.devicesOnline;
      total += r.devicesTotal;
      alerts += r.openAlerts;
      incidents += r.openIncidents;
      indexSum += r.situationIndex;
      summary.addDistricts(
          DistrictBrief.newBuilder()
              .setDistrict(r.district)
              .setSituationIndex(r.situationIndex)
              .setOnlineRate(r.onlineRate)
              .setOpenAlerts(r.openAlerts)
              .setOpenIncidents(r.openIncidents));
    }
    double index = districts.isEmpty() ? 0 : indexSum / districts.size();
    double rate = total == 0 ? 0 : (double) online / total;
    summary
        .setSituationIndex(index)
        .setDevicesOnline((int) online)
        .setDevicesTotal((int) total)
        .setOnlineRate(rate)
        .setOpenAlerts((int) alerts)
        .setOpenIncidents((int) incidents)
        .setGeneratedAtMs(System.currentTimeMillis());
    CityRecord record = new CityRecord();
    record.windowEndMs = end;
    record.situationIndex = index;
    record.onlineRate = rate;
    record.summary = summary.build().toByteArray();
    out.collect(record);
  }
}
