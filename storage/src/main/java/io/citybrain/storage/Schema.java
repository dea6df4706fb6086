package io.citybrain.storage;

import io.citybrain.storage.migration.V11__TimescaleHistoryHorizons;
import io.citybrain.storage.migration.V2__TimescaleFeatures;
import io.citybrain.storage.migration.V6__ResultJsonRendering;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies CityBrain's versioned schema (Flyway) to a database and says what the database has. */
public final class Schema {
  private Schema() {}

  /**
   * Brings the database to the latest schema version; a database already there is left as it is.
   */
  public static SchemaReport migrate(DataSource dataSource) {
    return migrate(dataSource, RuntimeRole.DEFAULT_NAME);
  }

  /**
   * As {@link #migrate(DataSource)}, as the schema's owner, granting the tables to {@code
   * runtimeRole} (created without login when absent; {@link RuntimeRole#provision} lets it in).
   */
  public static SchemaReport migrate(DataSource dataSource, String runtimeRole) {
    MigrateResult result = flyway(dataSource, runtimeRole).migrate();
    RuntimeRole.grant(dataSource, runtimeRole);
    return new SchemaReport(
        result.migrationsExecuted,
        flyway(dataSource, runtimeRole).info().current().getVersion().getVersion(),
        timescale(dataSource));
  }

  /**
   * Fails when the database's schema differs from what this build expects (changed or missing
   * migrations).
   */
  public static void validate(DataSource dataSource) {
    flyway(dataSource, RuntimeRole.DEFAULT_NAME).validate();
  }

  /** Whether the timescaledb extension is installed in this database. */
  public static boolean timescale(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection()) {
      return V2__TimescaleFeatures.timescaleInstalled(connection);
    } catch (SQLException e) {
      throw new StorageException("cannot inspect the database's extensions", e);
    }
  }

  private static Flyway flyway(DataSource dataSource, String runtimeRole) {
    return Flyway.configure()
        .dataSource(dataSource)
        .placeholders(Map.of("runtime_role", RuntimeRole.checkName(runtimeRole)))
        .locations("classpath:db/migration")
        .javaMigrations(
            new V2__TimescaleFeatures(),
            new V6__ResultJsonRendering(),
            new V11__TimescaleHistoryHorizons())
        .cleanDisabled(true)
        .load();
  }

  /**
   * What a migration did: how many versions it applied, the version now, whether TimescaleDB is in
   * use.
   */
  public record SchemaReport(int applied, String version, boolean timescale) {}
}
