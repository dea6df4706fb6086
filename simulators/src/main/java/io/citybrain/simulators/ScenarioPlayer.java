package io.citybrain.simulators;

import io.citybrain.seeds.Device;
import io.citybrain.seeds.Scenario;
import io.citybrain.seeds.StableHash;
import java.util.List;
import java.util.SplittableRandom;

/** Applies a scenario's timed effects to readings, camera reports and device liveness. */
final class ScenarioPlayer {
  static final ScenarioPlayer NONE = new ScenarioPlayer(null, 0);
  private final List<Scenario.Effect> effects;
  private final long seed;

  ScenarioPlayer(Scenario scenario, long seed) {
    this.effects = scenario == null ? List.of() : scenario.effects();
    this.seed = seed;
  }

  /** The reading after every metric effect that reaches the device. */
  double reading(Device device, String metric, double value, double elapsedS) {
    double result = value;
    for (Scenario.Effect e : effects) {
      if (metric.equals(e.metric()) && e.covers(device.district(), device.lat(), device.lon())) {
        double strength = e.strength(elapsedS);
        if (strength > 0) {
          result =
              e.set() != null
                  ? result + (e.set() - result) * strength
                  : result + e.add() * strength;
        }
      }
    }
    return result;
  }

  /** A camera event type a scenario forces on this report, or null. */
  String cameraEvent(Device device, double elapsedS, SplittableRandom random) {
    for (Scenario.Effect e : effects) {
      if (e.camera() != null && e.covers(device.district(), device.lat(), device.lon())) {
        double strength = e.strength(elapsedS);
        if (strength > 0 && random.nextDouble() < e.share() * strength) {
          return e.camera();
        }
      }
    }
    return null;
  }

  /**
   * True while an outage effect silences this device (the same devices every run with the same
   * seed).
   */
  boolean silent(Device device, double elapsedS) {
    for (Scenario.Effect e : effects) {
      if (e.outage() != null
          && e.covers(device.district(), device.lat(), device.lon())
          && e.strength(elapsedS) > 0
          && StableHash.uniform(seed, "outage/" + device.id()) < e.outage()) {
        return true;
      }
    }
    return false;
  }
}
