package io.citybrain.seeds;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where seed files come from: the copy shipped on the classpath, or a directory that overrides it.
 */
public interface SeedSource {

  /** Opens one seed file, or returns null when the source has no such file. */
  InputStream open(String fileName) throws IOException;

  /** How to name this source in messages. */
  String describe();

  /** The seed files shipped with CityBrain (seeds/src/main/resources/seeds). */
  static SeedSource classpath() {
    return new SeedSource() {
      @Override
      public InputStream open(String fileName) {
        return SeedSource.class.getResourceAsStream("/seeds/" + fileName);
      }

      @Override
      public String describe() {
        return "classpath:/seeds";
      }
    };
  }

  /** Seed files in a directory, e.g. a city other than Shenzhen. */
  static SeedSource directory(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("seed directory " + directory + " does not exist");
    }
    return new SeedSource() {
      @Override
      public InputStream open(String fileName) throws IOException {
        Path file = directory.resolve(fileName);
        return Files.exists(file) ? Files.newInputStream(file) : null;
      }

      @Override
      public String describe() {
        return directory.toString();
      }
    };
  }
}
