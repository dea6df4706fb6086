package io.citybrain.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;

/**
 * Says whether a Docker engine answers, without Testcontainers' stack traces on machines that have
 * none.
 */
final class DockerProbe {
  private static Boolean available;

  private DockerProbe() {}

  static synchronized boolean available() {
    if (available == null) {
      // Ask Testcontainers only where an engine could be: it logs errors at length when none is.
      boolean hint =
          System.getenv("DOCKER_HOST") != null
              || Files.exists(Path.of("/var/run/docker.sock"))
              || Files.exists(
                  Path.of(System.getProperty("user.home"), ".testcontainers.properties"));
      available = hint && isDockerAvailable();
    }
    return available;
  }

  private static boolean isDockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
