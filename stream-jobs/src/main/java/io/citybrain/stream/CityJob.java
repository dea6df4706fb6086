package io.citybrain.stream;

import io.citybrain.ingest.sink.Ingested;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.MetricKind;
import io.citybrain.stream.alert.AlertEvaluator;
import io.citybrain.stream.alert.AlertEvent;
import io.citybrain.stream.dedup.Deduplicate;
import io.citybrain.stream.dedup.ValidateTelemetry;
import io.citybrain.stream.fault.DeadLetterOnFailure;
import io.citybrain.stream.incident.IncidentEvent;
import io.citybrain.stream.incident.Signal;
import io.citybrain.stream.liveness.DeviceLiveness;
import io.citybrain.stream.liveness.LivenessChange;
import io.citybrain.stream.metric.CountAggregate;
import io.citybrain.stream.metric.EventCount;
import io.citybrain.stream.metric.MetricStatsAggregate;
import io.citybrain.stream.metric.ToEventCount;
import io.citybrain.stream.metric.ToWindowStats;
import io.citybrain.stream.metric.WindowStats;
import io.citybrain.stream.sink.Publication;
import io.citybrain.stream.sink.ResultSinks;
import io.citybrain.stream.situation.CityRecord;
import io.citybrain.stream.situation.CitySummarizer;
import io.citybrain.stream.situation.DistrictSituation;
import io.citybrain.stream.situation.DistrictUpdate;
import io.citybrain.stream.situation.SituationRecord;
import io.citybrain.stream.time.ValidatedWatermarks;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * The city job: MQTT telemetry in; raw rows, district metrics, liveness, the situation picture,
 * alerts and incidents out, to PostgreSQL and to the live MQTT topics. One code path for the demo's
 * MiniCluster and for {@code flink run}; where it reads and writes is the {@link CityJobIo} it is
 * given.
 *
 * <pre>
 * mqtt (watermarks per lane, from valid messages only) -> validate -(rejected)---------------------------> raw sink (+ dead letters, accounting)
 *                                  \-> dedup by (device, seq) -(duplicate, late, failed)---^
 *                               \-> clean -> 10 s / 1 min windows per (district, metric) -> district_metric
 *                                        -> 10 s / 1 min camera counts per (district, type) -> district_event_count
 *                                        -> liveness per device -> device_status
 *                                        10 s stats -> alert rules -> alert
 *                                        alerts + cameras + readings -> CEP incidents -> incident
 *                                        all of it per district -> situation -> district_snapshot, city_summary
 *                                        snapshots, city summary, alerts, incidents -> one publisher, keyed by topic
 * </pre>
 */
public final class CityJob {
  /** The live picture's resolution and the history's. */
  public static final int LIVE_S = 10;

  public static final int HISTORY_S = 60;

  /** Completed checkpoints kept in the checkpoint directory (a corrupt newest one has a spare). */
  public static final int RETAINED_CHECKPOINTS = 3;

  private final CityJobConfig config;
  private final CitySeeds seeds;
  private final CityJobIo io;

  public CityJob(CityJobConfig config, CitySeeds seeds, CityJobIo io) {
    this.config = config;
    this.seeds = seeds;
    this.io = io;
  }

  /** The Flink settings this job needs from its environment: checkpoints, state backend. */
  public Configuration flinkConfiguration() {
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
    conf.set(StateBackendOptions.STATE_BACKEND, config.stateBackend());
    // Every type crossing the network has a real serializer; a Kryo fallback fails the job at once,
    // not in production.
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    if (config.checkpointDir() != null) {
      conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
      conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
      // Kept when the job is cancelled, fails or its process dies, so that a new job resumes from
      // the latest one (RetainedCheckpoints) instead of starting with empty windows.
      conf.set(
          CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
          ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
      conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, RETAINED_CHECKPOINTS);
    }
    return conf;
  }

  /** Adds the job's graph to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    env.configure(flinkConfiguration());
    env.setParallelism(config.parallelism());
    ResultSinks tables = io.resultTables();

    DataStream<MqttRecord> messages =
        env.fromSource(
                io.source(),
                new ValidatedWatermarks(
                    io.registry(),
                    config.futureLimit(),
                    config.outOfOrderness(),
                    config.idleness()),
                "mqtt",
                TypeInformation.of(MqttRecord.class))
            .uid("mqtt-source");
    SingleOutputStreamOperator<TelemetryItem> valid =
        messages
            .transform(
                "validate",
                TypeInformation.of(TelemetryItem.class),
                new ValidateTelemetry(io.registry(), config.futureLimit()))
            .uid("validate");
    DataStream<Rejection> rejected = valid.getSideOutput(ValidateTelemetry.REJECTED);
    SingleOutputStreamOperator<TelemetryItem> clean =
        valid
            .keyBy(item -> item.deviceId)
            .process(
                new DeadLetterOnFailure<>(
                    "dedup",
                    new Deduplicate(
                        config.dedupTtl(), config.allowedLateness(), config.maxSeqJump())),
                TypeInformation.of(TelemetryItem.class))
            .name("dedup")
            .uid("dedup");

    // A per-item failure in an operator that handles device data is a dead letter, not a failed
    // task (the broker would bring the item back after the restart, and the job would loop).
    SingleOutputStreamOperator<LivenessChange> liveness =
        clean
            .keyBy(item -> item.deviceId)
            .process(
                new DeadLetterOnFailure<>("liveness", new DeviceLiveness(config.missedIntervals())),
                TypeInformation.of(LivenessChange.class))
            .name("liveness")
            .uid("liveness");

    clean
        .map(Ingested::of)
        .name("to-raw")
        .uid("to-raw")
        .union(
            clean
                .getSideOutput(Deduplicate.FLAGGED)
                .map(Ingested::of)
                .name("flagged-to-raw")
                .uid("flagged-to-raw"),
            rejected
                .union(clean.getSideOutput(Deduplicate.REJECTED))
                .map(Ingested::of)
                .name("rejected-to-raw")
                .uid("rejected-to-raw"),
            clean
                .getSideOutput(DeadLetterOnFailure.FAILED)
                .map(Ingested::of)
                .name("dedup-failed-to-raw")
                .uid("dedup-failed-to-raw"),
            liveness
                .getSideOutput(DeadLetterOnFailure.FAILED)
                .map(Ingested::ofCounted)
                .name("liveness-failed-to-raw")
                .uid("liveness-failed-to-raw"))
        .sinkTo(io.rawTelemetry())
        .name("raw-sink")
        .uid("raw-sink");

    DataStream<TelemetryItem> readings =
        clean.filter(TelemetryItem::isReading).name("readings").uid("readings");
    DataStream<TelemetryItem> cameras =
        clean.filter(TelemetryItem::isCamera).name("cameras").uid("cameras");
    DataStream<WindowStats> live = metricWindows(readings, LIVE_S);
    DataStream<WindowStats> history = metricWindows(readings, HISTORY_S);
    live.union(history).sinkTo(tables.metrics()).name("district-metric").uid("district-metric");
    DataStream<EventCount> liveEvents = eventWindows(cameras, LIVE_S);
    liveEvents
        .union(eventWindows(cameras, HISTORY_S))
        .sinkTo(tables.eventCounts())
        .name("district-event-count")
        .uid("district-event-count");

    liveness.sinkTo(tables.deviceStatus()).name("device-status").uid("device-status");
    liveness.sinkTo(tables.livenessHistory()).name("liveness-history").uid("liveness-history");

    DataStream<AlertEvent> alerts =
        live.keyBy(s -> s.district + "|" + s.metric)
            .process(new AlertEvaluator(seeds.alertRules()))
            .name("alert-rules")
            .uid("alert-rules");
    alerts
        .filter(a -> a.raised)
        .name("raises")
        .uid("raises")
        .sinkTo(tables.alertRaises())
        .name("alert-raises")
        .uid("alert-raises");
    alerts
        .filter(a -> !a.raised)
        .name("clears")
        .uid("clears")
        .sinkTo(tables.alertClears())
        .name("alert-clears")
        .uid("alert-clears");

    DataStream<IncidentEvent> incidents = incidents(alerts, clean);
    incidents.sinkTo(tables.incidents()).name("incident-table").uid("incident-table");

    SingleOutputStreamOperator<SituationRecord> situation =
        live.map(DistrictUpdate::of)
            .name("stats-update")
            .uid("stats-update")
            .union(
                liveEvents.map(DistrictUpdate::of).name("events-update").uid("events-update"),
                liveness.map(DistrictUpdate::of).name("liveness-update").uid("liveness-update"),
                alerts.map(DistrictUpdate::of).name("alert-update").uid("alert-update"),
                incidents
                    // A widening (revision > 0) is the same incident: the index counts it once.
                    .filter(i -> i.revision == 0)
                    .name("incident-openings")
                    .uid("incident-openings")
                    .map(i -> DistrictUpdate.incident(i.district, i.incidentId, i.detectedAtMs))
                    .name("incident-update")
                    .uid("incident-update"))
            .keyBy(u -> u.district)
            .process(new DistrictSituation(seeds, io.deviceTotals()))
            .name("district-situation")
            .uid("district-situation");
    situation.sinkTo(tables.snapshots()).name("district-snapshot").uid("district-snapshot");
    SingleOutputStreamOperator<CityRecord> city =
        situation
            .keyBy(r -> "city")
            .process(new CitySummarizer())
            .name("city-summary")
            .uid("city-summary")
            .setParallelism(1);
    city.sinkTo(tables.citySummary())
        .name("city-summary-table")
        .uid("city-summary-table")
        .setParallelism(1);

    if (config.publishResults()) {
      situation
          .map(Publication::live)
          .name("live-topic")
          .uid("live-topic")
          .union(
              city.map(Publication::city).name("city-topic").uid("city-topic").setParallelism(1),
              alerts.map(Publication::alert).name("alert-topic").uid("alert-topic"),
              incidents.map(Publication::incident).name("incident-topic").uid("incident-topic"))
          // One publisher for every result; keyed by topic, so each topic's messages leave in order
          // through one connection and the retained picture a new subscriber gets is the newest.
          .keyBy(p -> p.topic)
          .sinkTo(io.publisher())
          .name("publish")
          .uid("publish");
    }
  }

  /** Incidents: CEP over alerts, camera events and readings. */
  private DataStream<IncidentEvent> incidents(
      DataStream<AlertEvent> alerts, DataStream<TelemetryItem> clean) {
    DataStream<Signal> signals =
        alerts
            .filter(a -> a.raised)
            .name("raised")
            .uid("raised")
            .map(a -> Signal.alert(a.district, a.windowEndMs - 1, a.ruleId, a.alertId, a.value))
            .name("alert-signal")
            .uid("alert-signal");
    return IncidentWiring.detect(signals, clean, seeds);
  }

  private DataStream<WindowStats> metricWindows(DataStream<TelemetryItem> readings, int seconds) {
    Set<String> p95 =
        seeds.metrics().stream()
            .filter(MetricKind::wantsP95)
            .map(MetricKind::id)
            .collect(Collectors.toSet());
    return readings
        .keyBy(item -> item.district + "|" + item.metric)
        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(seconds)))
        .allowedLateness(config.allowedLateness())
        .aggregate(new MetricStatsAggregate(p95), new ToWindowStats(seconds))
        .name("metrics-" + seconds + "s")
        .uid("metrics-" + seconds + "s");
  }

  private DataStream<EventCount> eventWindows(DataStream<TelemetryItem> cameras, int seconds) {
    return cameras
        .keyBy(item -> item.district + "|" + item.eventType)
        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(seconds)))
        .allowedLateness(config.allowedLateness())
        .aggregate(new CountAggregate<>(), new ToEventCount(seconds))
        .name("camera-counts-" + seconds + "s")
        .uid("camera-counts-" + seconds + "s");
  }
}
