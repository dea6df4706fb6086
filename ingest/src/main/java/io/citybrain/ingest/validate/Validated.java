package io.citybrain.ingest.validate;

import java.util.List;

/**
 * The outcome of one MQTT message: the readings, camera events and heartbeats it carries that
 * passed, and a rejection for each that did not (a gateway batch can have both).
 */
public record Validated(List<TelemetryItem> accepted, List<Rejection> rejected) {}
