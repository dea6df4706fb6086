package io.citybrain.seeds;

/** A department that receives tasks from response plans and grid cases. */
public record Department(String id, String nameZh, String nameEn) implements java.io.Serializable {
}
