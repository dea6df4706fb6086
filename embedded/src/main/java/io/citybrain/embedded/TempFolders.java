package io.citybrain.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes the temporary folders embedded services leave behind. */
public final class TempFolders {
  private TempFolders() {}

  /** Deletes a folder and everything in it; what cannot be deleted is left for the OS to clean. */
  public static void deleteQuietly(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A leftover temp folder is harmless; the OS cleans /tmp.
    }
  }
}
