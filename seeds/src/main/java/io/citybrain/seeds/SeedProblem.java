package io.citybrain.seeds;

import java.io.Serializable;

/** One problem in the seed files: which file, which key, what is wrong. */
public record SeedProblem(String file, String key, String message) implements Serializable {
  @Override
  public String toString() {
    return file + ": " + key + ": " + message;
  }
}
