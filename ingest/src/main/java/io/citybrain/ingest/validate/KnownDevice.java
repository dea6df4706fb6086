package io.citybrain.ingest.validate;

/** What the registry says of a device: where it is and what it sends (sensor, camera or actuator). */
public record KnownDevice(String id, String district, String deviceClass) {
}
