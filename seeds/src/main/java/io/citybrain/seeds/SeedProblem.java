package io.citybrain.seeds;

/** One problem in the seed files: which file, which key, what is wrong. */
public record SeedProblem(String file, String key, String message) implements java.io.Serializable {
  @Override
  public String toString() {
    return file + ": " + key + ": " + message;
  }
}
