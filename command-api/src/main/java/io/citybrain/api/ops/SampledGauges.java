package io.citybrain.api.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Gauges of state that only its event loop may read (the live hub, the dispatcher): sampled on that
 * loop every second, while the scrape, on another thread, reads the samples.
 */
public final class SampledGauges {
  private final Map<String, Supplier<Number>> sources = new LinkedHashMap<>();
  private final Map<String, Double> samples = new ConcurrentHashMap<>();

  /** A gauge read from {@code source} on the event loop. */
  public SampledGauges add(String name, Supplier<Number> source) {
    sources.put(name, source);
    return this;
  }

  /** Registers the gauges and samples them now and every second; call on the owning loop. */
  public void start(Vertx vertx, MeterRegistry registry) {
    sources.keySet().forEach(name -> Gauge.builder(name, () -> sample(name)).register(registry));
    sampleAll();
    vertx.setPeriodic(1000, id -> sampleAll());
  }

  private double sample(String name) {
    return samples.getOrDefault(name, 0.0);
  }

  private void sampleAll() {
    sources.forEach((name, source) -> samples.put(name, source.get().doubleValue()));
  }
}
