package io.citybrain.seeds;

import java.io.Serializable;

/** A unit of measure that metric kinds and alert rules may use. */
public record Unit(String id, String name) implements Serializable {}
