package io.citybrain.ingest.validate;

import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The device registry, metric ranges and camera event types: what validation checks against
 * (100,000 devices take a few MB). Where it comes from is a {@link RegistryLoader}'s business.
 */
public record Registry(
    Map<String, KnownDevice> devices, Map<String, MetricRange> ranges, Set<String> eventTypes)
    implements Serializable {

  /** A validator against this registry on the system clock. */
  public TelemetryValidator validator(Duration futureLimit) {
    return new TelemetryValidator(
        id -> Optional.ofNullable(devices.get(id)),
        ranges,
        eventTypes,
        futureLimit,
        Clock.systemUTC());
  }
}
