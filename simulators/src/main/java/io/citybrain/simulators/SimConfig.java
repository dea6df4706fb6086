package io.citybrain.simulators;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Fleet;
import io.citybrain.seeds.Scenario;
import java.time.Duration;
import java.util.Set;

/**
 * Everything one simulator run needs. {@code speed}: simulated time runs that many times faster
 * than the wall clock (devices keep their intervals in simulated time); {@code startEpochMs}: the
 * event time simulated time 0 maps to (null: the start of the run). {@code duration} null runs
 * until stopped; {@code maxMessages} 0 has no limit; {@code districts} empty means every district;
 * {@code scenario} may be null.
 */
public record SimConfig(
    CitySeeds seeds,
    Fleet fleet,
    String brokerUrl,
    int qos,
    int connections,
    Rate rate,
    Duration duration,
    long maxMessages,
    long seed,
    Set<String> districts,
    ShardSpec shard,
    Scenario scenario,
    FaultPlan faults,
    int gatewayBatch,
    double startHour,
    String clientIdPrefix,
    boolean telemetry,
    ActuatorSettings actuators,
    double speed,
    Long startEpochMs) {

  /** A run at wall-clock pace starting now. */
  public SimConfig(
      CitySeeds seeds,
      Fleet fleet,
      String brokerUrl,
      int qos,
      int connections,
      Rate rate,
      Duration duration,
      long maxMessages,
      long seed,
      Set<String> districts,
      ShardSpec shard,
      Scenario scenario,
      FaultPlan faults,
      int gatewayBatch,
      double startHour,
      String clientIdPrefix,
      boolean telemetry,
      ActuatorSettings actuators) {
    this(
        seeds,
        fleet,
        brokerUrl,
        qos,
        connections,
        rate,
        duration,
        maxMessages,
        seed,
        districts,
        shard,
        scenario,
        faults,
        gatewayBatch,
        startHour,
        clientIdPrefix,
        telemetry,
        actuators,
        1.0,
        null);
  }

  public SimConfig {
    if (!(speed > 0 && Double.isFinite(speed))) {
      throw new IllegalArgumentException("--speed must be a positive number, was " + speed);
    }
    if (speed != 1.0 && rate.mode() != Rate.Mode.REALTIME) {
      throw new IllegalArgumentException("--speed needs the realtime pace: it excludes --rate");
    }
    districts = Set.copyOf(districts);
    if (qos < 0 || qos > 1) {
      throw new IllegalArgumentException("--qos must be 0 or 1, was " + qos);
    }
    if (connections < 1 || connections > 256) {
      throw new IllegalArgumentException("--connections must be within 1..256, was " + connections);
    }
    if (gatewayBatch < 0) {
      throw new IllegalArgumentException(
          "--gateway-batch must not be negative, was " + gatewayBatch);
    }
    if (!(startHour >= 0 && startHour < 24)) {
      throw new IllegalArgumentException("--day-hour must be within 0..24, was " + startHour);
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("--duration must be positive, was " + duration);
    }
    for (String district : districts) {
      if (seeds.district(district).isEmpty()) {
        throw new IllegalArgumentException(
            "unknown district '"
                + district
                + "' (known: "
                + String.join(", ", seeds.districtCodes())
                + ")");
      }
    }
  }

  /**
   * True when the device belongs to this run: its district is selected and its fleet position is in
   * the shard.
   */
  boolean selects(String district, int fleetOrdinal) {
    return (districts.isEmpty() || districts.contains(district)) && shard.owns(fleetOrdinal);
  }
}
