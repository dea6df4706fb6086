package io.citybrain.app;

import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.simulators.FleetSettings;
import java.util.Objects;

/**
 * What {@code citybrain migrate} runs with: the database, and the city whose registry it loads.
 * Validated on creation, in domain words ({@code database URL must be a PostgreSQL JDBC URL ...}).
 */
record MigrateSettings(FleetSettings fleet, String dbUrl) implements Described {
  /** Migrations and the registry sync run one after the other: two connections are plenty. */
  static final int POOL_SIZE = 2;

  MigrateSettings {
    Objects.requireNonNull(fleet, "fleet");
    Check.jdbcUrl(dbUrl, "database URL");
  }

  @Override
  public Description describe() {
    return new Description("migrate").url("database URL", dbUrl).include(fleet);
  }
}
