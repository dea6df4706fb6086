package io.citybrain.simulators;

import java.nio.charset.StandardCharsets;

/** Deterministic random seeds and uniform numbers derived from the run seed and names. */
final class Seeding {
  private Seeding() {
  }

  /** A well-spread 64-bit seed for a named stream of a run (SplitMix64 over FNV-1a of the name). */
  static long derive(long seed, String name) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    long z = seed * 0x9e3779b97f4a7c15L + hash;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A uniform number in [0, 1) fixed by the seed and the name. */
  static double uniform(long seed, String name) {
    return (derive(seed, name) >>> 11) * 0x1.0p-53;
  }
}
