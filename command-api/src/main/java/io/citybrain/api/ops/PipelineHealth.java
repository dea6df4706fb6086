package io.citybrain.api.ops;

import io.citybrain.api.db.Db;
import io.citybrain.mqtt.MqttConnection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Function;

/**
 * Whether the city is being watched: the broker connection, the stream job's state, and how old the
 * newest stored row and the newest live snapshot are. Any of them failing is a 503.
 */
final class PipelineHealth {
  private final MqttConnection mqtt;
  private final Db db;
  private final Function<String, JsonObject> latestSnapshot;
  private final Set<String> districts;
  private final HealthSettings settings;
  private final FlinkJobProbe job;
  private final AtLeastOnceRisk risk;
  private final Clock clock;

  PipelineHealth(
      Vertx vertx,
      MqttConnection mqtt,
      Db db,
      Function<String, JsonObject> latestSnapshot,
      Set<String> districts,
      HealthSettings settings,
      AtLeastOnceRisk risk,
      Clock clock) {
    this.mqtt = mqtt;
    this.db = db;
    this.latestSnapshot = latestSnapshot;
    this.districts = Set.copyOf(districts);
    this.settings = settings;
    this.job =
        settings.flinkRestUrl() == null
            ? null
            : new FlinkJobProbe(vertx, settings.flinkRestUrl(), settings.jobName());
    this.risk = risk;
    this.clock = clock;
  }

  /** The report; {@code healthy} says whether to answer 200. */
  Future<JsonObject> check() {
    Future<String> jobState = job == null ? Future.succeededFuture("unmonitored") : job.state();
    Future<Instant> stored =
        settings.maxStoredAge().isZero()
            ? Future.succeededFuture(null)
            : db.query(PipelineHealth::newestStored).otherwise((Instant) null);
    return Future.all(jobState, stored)
        .map(
            all -> {
              boolean mqttUp = mqtt.isConnected();
              String state = jobState.result();
              boolean jobOk = job == null || FlinkJobProbe.RUNNING.equals(state);
              JsonObject storedJson = freshness(stored.result(), settings.maxStoredAge());
              JsonObject snapshotJson = freshness(newestSnapshot(), settings.maxSnapshotAge());
              boolean healthy =
                  mqttUp
                      && jobOk
                      && storedJson.getBoolean("fresh")
                      && snapshotJson.getBoolean("fresh");
              return new JsonObject()
                  .put("status", healthy ? "up" : "degraded")
                  .put("mqtt", mqttUp)
                  .put("job", new JsonObject().put("state", state).put("ok", jobOk))
                  .put("stored", storedJson)
                  .put("snapshot", snapshotJson)
                  // Not part of up/degraded: a growing backlog is a warning before any loss.
                  .put("at_least_once", risk.report());
            });
  }

  /**
   * When the sink last counted stored rows: the accounting table is one row per district and
   * counter, so this stays cheap however large the telemetry tables grow.
   */
  private static Instant newestStored(java.sql.Connection c) throws java.sql.SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT max(updated_at) FROM pipeline_accounting WHERE counter = 'stored' AND value > 0");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      Timestamp at = rs.getTimestamp(1);
      return at == null ? null : at.toInstant();
    }
  }

  /** The latest window end among the districts' live snapshots, or null before the first. */
  private Instant newestSnapshot() {
    Instant newest = null;
    for (String district : districts) {
      JsonObject snapshot = latestSnapshot.apply(district);
      String end = snapshot == null ? null : snapshot.getString("window_end");
      if (end != null) {
        Instant at = Instant.parse(end);
        if (newest == null || at.isAfter(newest)) {
          newest = at;
        }
      }
    }
    return newest;
  }

  private JsonObject freshness(Instant newest, Duration maxAge) {
    JsonObject json = new JsonObject();
    if (maxAge.isZero()) {
      return json.put("fresh", true).put("checked", false);
    }
    json.put("max_age_s", maxAge.toSeconds()).put("checked", true);
    if (newest == null) {
      return json.put("fresh", false).putNull("newest").putNull("age_s");
    }
    long ageMs = Math.max(0, Duration.between(newest, clock.instant()).toMillis());
    return json.put("newest", newest.toString())
        .put("age_s", ageMs / 1000.0)
        .put("fresh", ageMs <= maxAge.toMillis());
  }
}
