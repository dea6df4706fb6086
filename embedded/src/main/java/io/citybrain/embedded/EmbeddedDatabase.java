package io.citybrain.embedded;

import com.sun.security.auth.module.UnixSystem;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;

/**
 * A PostgreSQL server started from binaries shipped on Maven Central (zonky), on 127.0.0.1 (or a
 * given address) and a free port, its superuser behind a password generated per start.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  /** The message for the one environment zonky cannot serve: PostgreSQL refuses to run as root. */
  public static final String ROOT_MESSAGE =
      "embedded PostgreSQL cannot run as root (PostgreSQL refuses to): "
          + "run as an unprivileged user (./citybrain does this for you), or point CityBrain at a running PostgreSQL "
          + "(CITYBRAIN_DB_URL for the app, CITYBRAIN_TEST_PG_URL for tests)";

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;
  private final String host;
  private final String password;

  private EmbeddedDatabase(
      EmbeddedPostgres postgres, Path dataDirectory, String host, String password) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
    this.host = host;
    this.password = password;
  }

  /**
   * Starts a fresh server on loopback; fails with {@link #ROOT_MESSAGE} when this process runs as
   * root.
   */
  public static EmbeddedDatabase start() {
    return start("127.0.0.1");
  }

  /**
   * Starts a fresh server listening on {@code listenAddress} only (an IP literal, {@code 0.0.0.0}
   * for every interface); fails with {@link #ROOT_MESSAGE} when this process runs as root.
   */
  public static EmbeddedDatabase start(String listenAddress) {
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
              // Said, not left to zonky's or PostgreSQL's defaults.
              .setServerConfig("listen_addresses", listenAddress)
              .start();
      String password = newPassword();
      requirePassword(postgres, data, password);
      String host =
          listenAddress.equals("0.0.0.0") || listenAddress.equals("*")
              ? "127.0.0.1"
              : listenAddress;
      return new EmbeddedDatabase(postgres, data, host, password);
    } catch (IOException | SQLException | RuntimeException e) {
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

  /**
   * zonky's initdb trusts every local connection; a demo on a shared machine must not. The
   * superuser gets this run's generated password and every connection must give it (SCRAM).
   */
  private static void requirePassword(EmbeddedPostgres postgres, Path data, String password)
      throws SQLException, IOException {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("SET password_encryption = 'scram-sha-256'");
      // The password is base64url: nothing in it needs quoting.
      st.execute("ALTER ROLE postgres PASSWORD '" + password + "'");
      Files.writeString(
          data.resolve("pg_hba.conf"),
          """
          local all all scram-sha-256
          host  all all 0.0.0.0/0 scram-sha-256
          host  all all ::/0 scram-sha-256
          """,
          StandardCharsets.UTF_8);
      st.execute("SELECT pg_reload_conf()");
    }
  }

  private static String newPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * A JDBC URL for a database on this server, as the superuser {@code postgres} with this run's
   * password.
   */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://"
        + host
        + ":"
        + postgres.getPort()
        + "/"
        + database
        + "?user=postgres&password="
        + password;
  }

  /** The superuser's password, generated for this run (the demo prints it once). */
  public String password() {
    return password;
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
