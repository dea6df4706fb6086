package io.citybrain.stream.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoints a job left in its checkpoint directory ({@code dir/<job id>/chk-N/_metadata},
 * kept on cancellation and failure): the newest complete one is where a resumed job starts.
 */
public final class RetainedCheckpoints {
  /** The file Flink writes last, when a checkpoint is complete. */
  public static final String METADATA = "_metadata";

  private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

  private RetainedCheckpoints() {}

  /**
   * The newest complete checkpoint of any job under {@code checkpointDir}: the {@code chk-N}
   * directory whose {@code _metadata} was written last (ties by N); empty when there is none.
   */
  public static Optional<Path> latest(Path checkpointDir) {
    if (!Files.isDirectory(checkpointDir)) {
      return Optional.empty();
    }
    try (Stream<Path> jobs = Files.list(checkpointDir)) {
      return jobs.filter(Files::isDirectory)
          .flatMap(RetainedCheckpoints::checkpointsOf)
          .max(
              Comparator.comparing(RetainedCheckpoints::written)
                  .thenComparingLong(RetainedCheckpoints::number));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the checkpoints in " + checkpointDir, e);
    }
  }

  /**
   * The local directory of a checkpoint storage URI ({@code file:///var/flink/checkpoints} or a
   * plain path); fails for a remote one (s3://...), whose checkpoints this machine cannot list.
   */
  public static Path localDirectory(String uri) {
    if (uri.startsWith("/")) {
      return Path.of(uri);
    }
    URI parsed = URI.create(uri);
    if (!"file".equals(parsed.getScheme())) {
      throw new IllegalArgumentException(
          "the latest retained checkpoint can be found only in a local directory (file:///...), not in "
              + uri);
    }
    return Path.of(parsed);
  }

  /** The checkpoint number of a chk-N directory. */
  public static long number(Path checkpoint) {
    Matcher m = CHECKPOINT.matcher(checkpoint.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException(checkpoint + " is no chk-N directory");
    }
    return Long.parseLong(m.group(1));
  }

  private static Stream<Path> checkpointsOf(Path jobDir) {
    try (Stream<Path> entries = Files.list(jobDir)) {
      return entries
          .filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p.resolve(METADATA)))
          .toList()
          .stream();
    } catch (IOException e) {
      // A job directory deleted while it is listed (a subsumed checkpoint) has nothing to offer.
      return Stream.empty();
    }
  }

  private static FileTime written(Path checkpoint) {
    try {
      return Files.getLastModifiedTime(checkpoint.resolve(METADATA));
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}
