package io.citybrain.simulators;

import java.time.Duration;

/** How simulated actuators answer commands: after this latency (±50%), failing at this rate. */
public record ActuatorSettings(boolean enabled, Duration latency, double failureRate) {
  public static final ActuatorSettings DEFAULT =
      new ActuatorSettings(true, Duration.ofMillis(200), 0);

  public ActuatorSettings {
    if (latency.isNegative()) {
      throw new IllegalArgumentException("--ack-latency must not be negative, was " + latency);
    }
    if (!(failureRate >= 0 && failureRate <= 1)) {
      throw new IllegalArgumentException(
          "--ack-failure-rate must be a rate within 0..1, was " + failureRate);
    }
  }
}
