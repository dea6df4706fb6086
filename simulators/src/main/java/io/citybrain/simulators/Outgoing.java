package io.citybrain.simulators;

import io.citybrain.proto.MessageClass;

/** One MQTT publish the generator asks for, at a simulated time since the start of the run. */
record Outgoing(
    String topic, byte[] payload, long atMicros, MessageClass messageClass, int connectionKey) {}
