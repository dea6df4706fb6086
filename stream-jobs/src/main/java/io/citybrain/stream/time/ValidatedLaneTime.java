package io.citybrain.stream.time;

import io.citybrain.ingest.source.LaneEventTime;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.validate.RegistryLoader;
import java.time.Duration;
import java.util.function.ToLongFunction;

/** The MQTT source's event time for the city job: {@link ValidatedEventTime}, opened per reader. */
public final class ValidatedLaneTime implements LaneEventTime {
  private static final long serialVersionUID = 1L;
  private final RegistryLoader registry;
  private final Duration futureLimit;

  public ValidatedLaneTime(RegistryLoader registry, Duration futureLimit) {
    this.registry = registry;
    this.futureLimit = futureLimit;
  }

  @Override
  public ToLongFunction<MqttRecord> open() throws Exception {
    return new ValidatedEventTime(registry.load().validator(futureLimit))::of;
  }
}
