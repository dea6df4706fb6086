package io.citybrain.api.ops;

import io.citybrain.mqtt.MqttConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether at-least-once is at risk, before anything is lost: the broker's backlog for the stream
 * job against {@code max_queued_messages} (past it Mosquitto drops silently), and the age of the
 * job's last completed checkpoint (the job acknowledges to the broker only on checkpoints, so a job
 * that stopped checkpointing lets the backlog grow). Sampled every few seconds; exported as
 * Prometheus gauges and in {@code /health}; each alert is logged when it rises and when it clears.
 */
public final class AtLeastOnceRisk {
  private static final Logger LOG = LoggerFactory.getLogger(AtLeastOnceRisk.class);
  static final long SAMPLE_MS = 5_000;

  private final RiskSettings settings;
  private final BrokerBacklog backlog = new BrokerBacklog();
  private final FlinkJobProbe job;
  private volatile long checkpointAgeMs = -1;
  private volatile long lastCheckpointAtMs;
  private volatile boolean queueAlert;
  private volatile boolean ageAlert;

  /**
   * @param flinkRestUrl the job's Flink REST endpoint, or null: checkpoint age unknown
   */
  public AtLeastOnceRisk(Vertx vertx, RiskSettings settings, String flinkRestUrl, String jobName) {
    this.settings = settings;
    this.job = flinkRestUrl == null ? null : new FlinkJobProbe(vertx, flinkRestUrl, jobName);
  }

  /** Subscribes to the broker's figures (blocks for the SUBACKs: not on an event loop). */
  public void subscribe(MqttConnection mqtt) {
    backlog.subscribe(mqtt);
  }

  /** Registers the gauges and samples from now on. */
  public void start(Vertx vertx, MeterRegistry registry) {
    Gauge.builder("citybrain_broker_queued_messages", () -> orNaN(backlog.queued()))
        .description(
            "Messages the broker holds for consumers (store less retained, Mosquitto $SYS); NaN"
                + " when the broker publishes no $SYS")
        .register(registry);
    Gauge.builder("citybrain_broker_max_queued_messages", () -> settings.brokerMaxQueued())
        .description("The broker's max_queued_messages per session, past which it drops")
        .register(registry);
    Gauge.builder(
            "citybrain_job_checkpoint_age_seconds",
            () -> checkpointAgeMs < 0 ? Double.NaN : checkpointAgeMs / 1000.0)
        .description("Age of the stream job's last completed checkpoint; NaN when unknown")
        .register(registry);
    Gauge.builder("citybrain_alert_broker_queue", () -> queueAlert ? 1 : 0)
        .description("1 while the broker's backlog is past the alert share of max_queued_messages")
        .register(registry);
    Gauge.builder("citybrain_alert_checkpoint_age", () -> ageAlert ? 1 : 0)
        .description("1 while the last checkpoint is older than the alert multiple of the interval")
        .register(registry);
    sample();
    vertx.setPeriodic(SAMPLE_MS, t -> sample());
  }

  /** What {@code /health} shows under {@code at_least_once}. */
  public JsonObject report() {
    JsonObject json = new JsonObject();
    OptionalLong queued = backlog.queued();
    JsonObject broker =
        new JsonObject()
            .put("queued", queued.isPresent() ? queued.getAsLong() : "unknown")
            .put("max_queued_messages", settings.brokerMaxQueued())
            .put("alert_at", settings.queueAlertAt())
            .put("alert", queueAlert);
    JsonObject checkpoint =
        new JsonObject()
            .put("age_s", checkpointAgeMs < 0 ? "unknown" : checkpointAgeMs / 1000.0)
            .put("alert_at_s", settings.ageAlertAt().toMillis() / 1000.0)
            .put("alert", ageAlert);
    return json.put("broker", broker).put("checkpoint", checkpoint);
  }

  private void sample() {
    OptionalLong queued = backlog.queued();
    queueAlert =
        rise(
            "broker-queue",
            queueAlert,
            queued.isPresent() && queued.getAsLong() >= settings.queueAlertAt(),
            "the broker holds "
                + (queued.isPresent() ? queued.getAsLong() : "?")
                + " messages for the stream job, alert at "
                + settings.queueAlertAt()
                + " of max_queued_messages "
                + settings.brokerMaxQueued()
                + ": past the limit it drops silently");
    if (job == null) {
      return;
    }
    // A job that stopped (or a Flink that went away) keeps the last checkpoint it completed: its
    // age grows on, which is the point of the alert.
    job.lastCheckpointAt()
        .onSuccess(at -> lastCheckpointAtMs = Math.max(lastCheckpointAtMs, at))
        .onComplete(
            done ->
                updateAge(
                    lastCheckpointAtMs <= 0
                        ? -1
                        : Math.max(0, System.currentTimeMillis() - lastCheckpointAtMs)));
  }

  private void updateAge(long ageMs) {
    checkpointAgeMs = ageMs;
    ageAlert =
        rise(
            "checkpoint-age",
            ageAlert,
            ageMs >= settings.ageAlertAt().toMillis(),
            "the stream job's last checkpoint completed "
                + ageMs / 1000
                + " s ago, alert at "
                + settings.ageAlertAt().toSeconds()
                + " s: until it checkpoints it acknowledges nothing and the broker's queue grows");
  }

  private static boolean rise(String name, boolean was, boolean now, String why) {
    if (now && !was) {
      LOG.warn("at-least-once at risk ({}): {}", name, why);
    } else if (was && !now) {
      LOG.info("at-least-once alert {} cleared", name);
    }
    return now;
  }

  private static double orNaN(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : Double.NaN;
  }
}
