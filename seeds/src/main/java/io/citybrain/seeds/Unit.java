package io.citybrain.seeds;

/** A unit of measure that metric kinds and alert rules may use. */
public record Unit(String id, String name) implements java.io.Serializable {
}
