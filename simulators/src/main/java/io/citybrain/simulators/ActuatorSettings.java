package io.citybrain.simulators;

import io.citybrain.access.FleetCredentials;
import io.citybrain.seeds.ResponsePlan;
import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.settings.InvalidSettingException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How simulated actuators answer commands: after this latency (±50%), failing at this rate,
 * refusing a command whose expiry is further ahead than {@code maxLifetime}, remembering executed
 * command ids in {@code stateFolder}, verifying commands and signing acks with {@code fleet}.
 * Validated on creation, in domain words ({@code ack latency must not be negative, was PT-1S}).
 *
 * @param stateFolder where the executed-commands journal lives; null: {@link #defaultStateFolder}
 * @param fleet the fleet credentials; null only until given, actuators refuse to start without
 */
public record ActuatorSettings(
    boolean enabled,
    Duration latency,
    double failureRate,
    Duration maxLifetime,
    Path stateFolder,
    FleetCredentials fleet)
    implements Described {
  /**
   * A command may live up to this long by default, and the journal remembers an executed one this
   * long: well above the API's ack timeout, and the longest command TTL a plan may set.
   */
  public static final Duration DEFAULT_MAX_LIFETIME =
      Duration.ofSeconds(ResponsePlan.MAX_COMMAND_TTL_S);

  public static final ActuatorSettings DEFAULT =
      new ActuatorSettings(true, Duration.ofMillis(200), 0);

  public ActuatorSettings {
    Check.notNegative(latency, "ack latency");
    Check.rate(failureRate, "ack failure rate");
    Check.positive(maxLifetime, "max command lifetime");
  }

  public ActuatorSettings(boolean enabled, Duration latency, double failureRate) {
    this(enabled, latency, failureRate, DEFAULT_MAX_LIFETIME, null, null);
  }

  public ActuatorSettings withFleet(FleetCredentials value) {
    return new ActuatorSettings(enabled, latency, failureRate, maxLifetime, stateFolder, value);
  }

  public ActuatorSettings withState(Path folder, Duration lifetime) {
    return new ActuatorSettings(enabled, latency, failureRate, lifetime, folder, fleet);
  }

  /** The fleet credentials, or an exact message saying how to give them. */
  FleetCredentials requireFleet() {
    if (fleet == null) {
      throw new InvalidSettingException(
          "credentials",
          "actuators verify every command and sign every ack with the fleet credentials: give"
              + " --credentials DIR (citybrain provision --out DIR makes one), or --no-actuators");
    }
    return fleet;
  }

  /** The journal's folder: the one given, else {@link #defaultStateFolder} for this shard. */
  Path stateFolder(ShardSpec shard) {
    return stateFolder != null ? stateFolder : defaultStateFolder(shard);
  }

  /**
   * {@code $XDG_STATE_HOME/citybrain/actuators/shard-<i>of<n>} ({@code ~/.local/state} when unset):
   * one folder per shard, so the shards of one city never share a journal.
   */
  static Path defaultStateFolder(ShardSpec shard) {
    String xdg = System.getenv("XDG_STATE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("citybrain")
        .resolve("actuators")
        .resolve("shard-" + shard.index() + "of" + shard.count());
  }

  @Override
  public Description describe() {
    return new Description("actuators")
        .add("actuators", enabled ? "on" : "off")
        .add("ack latency", latency.toMillis() + " ms")
        .add("ack failure rate", failureRate)
        .add("max command lifetime", maxLifetime)
        .add(
            "actuator state", stateFolder == null ? "per shard under $XDG_STATE_HOME" : stateFolder)
        .add("fleet credentials", fleet == null ? "none" : fleet.folder());
  }
}
