package io.citybrain.api.ops;

import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import java.time.Duration;

/**
 * When at-least-once is at risk: the broker's per-session queue limit ({@code max_queued_messages},
 * past which Mosquitto drops silently) and the share of it that raises the backlog alert; the
 * stream job's checkpoint interval and the multiple of it that raises the checkpoint-age alert (the
 * job acknowledges nothing to the broker between checkpoints).
 */
public record RiskSettings(
    long brokerMaxQueued, double queueAlertShare, Duration checkpointInterval, int ageAlertMultiple)
    implements Described {
  /** The shipped config/mosquitto/mosquitto.conf's max_queued_messages. */
  public static final long DEFAULT_BROKER_MAX_QUEUED = 2_000_000;

  /** Half the limit: at the design rate that leaves hours to act (README, "Recovery point"). */
  public static final double DEFAULT_QUEUE_ALERT_SHARE = 0.5;

  /** The stream job's default checkpoint interval. */
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

  /** Three intervals: one slow checkpoint is not an alert, three missed ones are. */
  public static final int DEFAULT_AGE_ALERT_MULTIPLE = 3;

  public static final RiskSettings DEFAULT =
      new RiskSettings(
          DEFAULT_BROKER_MAX_QUEUED,
          DEFAULT_QUEUE_ALERT_SHARE,
          DEFAULT_CHECKPOINT_INTERVAL,
          DEFAULT_AGE_ALERT_MULTIPLE);

  public RiskSettings {
    Check.require(
        brokerMaxQueued > 0,
        "broker max queued messages",
        "must be positive (the broker's max_queued_messages), was " + brokerMaxQueued);
    Check.require(
        queueAlertShare > 0 && queueAlertShare < 1,
        "queue alert share",
        "must be between 0 and 1 (exclusive), was " + queueAlertShare);
    Check.require(
        checkpointInterval != null
            && !checkpointInterval.isNegative()
            && !checkpointInterval.isZero(),
        "checkpoint interval",
        "must be positive, was " + checkpointInterval);
    Check.require(
        ageAlertMultiple >= 1,
        "checkpoint age alert multiple",
        "must be at least 1, was " + ageAlertMultiple);
  }

  /** The backlog at which the queue alert rises. */
  long queueAlertAt() {
    return (long) Math.ceil(brokerMaxQueued * queueAlertShare);
  }

  /** The checkpoint age at which the checkpoint alert rises. */
  Duration ageAlertAt() {
    return checkpointInterval.multipliedBy(ageAlertMultiple);
  }

  public RiskSettings withBrokerMaxQueued(long value) {
    return new RiskSettings(value, queueAlertShare, checkpointInterval, ageAlertMultiple);
  }

  public RiskSettings withCheckpointInterval(Duration value) {
    return new RiskSettings(brokerMaxQueued, queueAlertShare, value, ageAlertMultiple);
  }

  @Override
  public Description describe() {
    return new Description("at-least-once risk")
        .add(
            "risk: broker queue alert at",
            queueAlertAt() + " of max_queued_messages " + brokerMaxQueued)
        .add("risk: checkpoint age alert at", ageAlertAt());
  }
}
