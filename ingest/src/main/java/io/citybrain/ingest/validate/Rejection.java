package io.citybrain.ingest.validate;

/**
 * A message, or one item of a gateway batch, that failed validation: nothing is dropped without one
 * of these.
 */
public record Rejection(
    String topic, String district, RejectReason reason, String detail, byte[] payload) {}
