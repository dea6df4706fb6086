package io.citybrain.seeds;

import java.io.Serializable;

/** A department that receives tasks from response plans and grid cases. */
public record Department(String id, String nameZh, String nameEn) implements Serializable {}
