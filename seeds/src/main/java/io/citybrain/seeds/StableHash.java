package io.citybrain.seeds;

import java.nio.charset.StandardCharsets;

/**
 * Seeds and uniform numbers derived from a run seed and a name, the same in every JVM: what makes
 * fleets and simulated messages reproducible across processes.
 */
public final class StableHash {
  private StableHash() {}

  /**
   * 64-bit FNV-1a of a string's UTF-8 bytes: stable across JVMs, unlike String.hashCode's use in
   * hash maps.
   */
  public static long fnv1a(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  /** Combines two 64-bit values into a well-spread seed (the SplitMix64 finaliser). */
  public static long mix(long a, long b) {
    long z = a * 0x9e3779b97f4a7c15L + b;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A seed for the named stream of a run. */
  public static long derive(long seed, String name) {
    return mix(seed, fnv1a(name));
  }

  /** A uniform number in [0, 1) fixed by the seed and the name. */
  public static double uniform(long seed, String name) {
    return (derive(seed, name) >>> 11) * 0x1.0p-53;
  }
}
