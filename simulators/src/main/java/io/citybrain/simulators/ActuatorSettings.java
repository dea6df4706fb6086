package io.citybrain.simulators;

import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import java.time.Duration;

/**
 * How simulated actuators answer commands: after this latency (±50%), failing at this rate.
 * Validated on creation, in domain words ({@code ack latency must not be negative, was PT-1S}).
 */
public record ActuatorSettings(boolean enabled, Duration latency, double failureRate)
    implements Described {
  public static final ActuatorSettings DEFAULT =
      new ActuatorSettings(true, Duration.ofMillis(200), 0);

  public ActuatorSettings {
    Check.notNegative(latency, "ack latency");
    Check.rate(failureRate, "ack failure rate");
  }

  @Override
  public Description describe() {
    return new Description("actuators")
        .add("actuators", enabled ? "on" : "off")
        .add("ack latency", latency.toMillis() + " ms")
        .add("ack failure rate", failureRate);
  }
}
