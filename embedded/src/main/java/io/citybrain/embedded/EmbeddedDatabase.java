package io.citybrain.embedded;

import com.sun.security.auth.module.UnixSystem;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PostgreSQL server started from binaries shipped on Maven Central (zonky), on 127.0.0.1 and a
 * free port.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  /** The message for the one environment zonky cannot serve: PostgreSQL refuses to run as root. */
  public static final String ROOT_MESSAGE =
      "embedded PostgreSQL cannot run as root (PostgreSQL refuses to): "
          + "run as an unprivileged user (./citybrain does this for you), or point CityBrain at a running PostgreSQL "
          + "(CITYBRAIN_DB_URL for the app, CITYBRAIN_TEST_PG_URL for tests)";

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /** Starts a fresh server; fails with {@link #ROOT_MESSAGE} when this process runs as root. */
  public static EmbeddedDatabase start() {
    if (runningAsRoot()) {
      throw new IllegalStateException(ROOT_MESSAGE);
    }
    Path data = null;
    try {
      data = Files.createTempDirectory("citybrain-pg-");
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setPort(FreePort.find())
              .setDataDirectory(data)
              .setCleanDataDirectory(true)
              .start();
      return new EmbeddedDatabase(postgres, data);
    } catch (IOException | RuntimeException e) {
      TempFolders.deleteQuietly(data);
      throw new IllegalStateException("embedded PostgreSQL did not start: " + e.getMessage(), e);
    }
  }

  /** True when this process has user id 0. */
  public static boolean runningAsRoot() {
    try {
      return new UnixSystem().getUid() == 0;
    } catch (RuntimeException | LinkageError e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** A JDBC URL for a database on this server, as the superuser {@code postgres}. */
  public String jdbcUrl(String database) {
    return postgres.getJdbcUrl("postgres", database);
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not stop cleanly", e);
    } finally {
      TempFolders.deleteQuietly(dataDirectory);
    }
  }
}
