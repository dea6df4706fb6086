package io.citybrain.seeds;

import java.io.Serializable;

/**
 * One device of the expanded fleet: the identity every process (simulator, ingest, registry) agrees
 * on.
 */
public record Device(
    String id,
    String district,
    String kind,
    DeviceClass deviceClass,
    double lat,
    double lon,
    int intervalS,
    String gatewayId)
    implements Serializable {}
