package io.citybrain.app;

import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.simulators.FleetSettings;
import io.citybrain.storage.RuntimeRole;
import java.util.Objects;

/**
 * What {@code citybrain migrate} runs with: the database, and the city whose registry it loads.
 * Validated on creation, in domain words ({@code database URL must be a PostgreSQL JDBC URL ...}).
 */
record MigrateSettings(
    FleetSettings fleet, String dbUrl, String runtimeRole, String runtimePassword)
    implements Described {
  /** Migrations and the registry sync run one after the other: two connections are plenty. */
  static final int POOL_SIZE = 2;

  MigrateSettings {
    Objects.requireNonNull(fleet, "fleet");
    Check.jdbcUrl(dbUrl, "database URL");
    RuntimeRole.checkName(runtimeRole);
    if (runtimePassword != null) {
      Check.require(
          runtimePassword.length() >= 16,
          "database runtime password",
          "must be at least 16 characters, was " + runtimePassword.length());
    }
  }

  /** The default runtime role, its password generated when it cannot log in yet. */
  MigrateSettings(FleetSettings fleet, String dbUrl) {
    this(fleet, dbUrl, RuntimeRole.DEFAULT_NAME, null);
  }

  @Override
  public Description describe() {
    return new Description("migrate")
        .url("database URL", dbUrl)
        .add(RuntimeRole.SETTING, runtimeRole)
        .add(
            "database runtime password",
            runtimePassword == null ? "generated when the role cannot log in yet" : "***")
        .include(fleet);
  }
}
