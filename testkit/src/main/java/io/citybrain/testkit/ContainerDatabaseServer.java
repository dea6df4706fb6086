package io.citybrain.testkit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * TimescaleDB in a container: the only backend here where the TimescaleDB migration path really
 * runs.
 */
final class ContainerDatabaseServer implements DatabaseServer {
  static final DockerImageName IMAGE =
      DockerImageName.parse("timescale/timescaledb:2.17.2-pg16")
          .asCompatibleSubstituteFor("postgres");
  private final PostgreSQLContainer container;

  ContainerDatabaseServer() {
    container = new PostgreSQLContainer(IMAGE);
    container.start();
  }

  @Override
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://"
        + container.getHost()
        + ":"
        + container.getMappedPort(5432)
        + "/"
        + database
        + "?user="
        + encode(container.getUsername())
        + "&password="
        + encode(container.getPassword());
  }

  @Override
  public String describe() {
    return "TimescaleDB container " + IMAGE;
  }

  @Override
  public void close() {
    container.stop();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
