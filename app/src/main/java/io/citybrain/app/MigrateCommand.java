package io.citybrain.app;

import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.settings.InvalidSettingException;
import io.citybrain.simulators.Flags;
import io.citybrain.simulators.FleetOptions;
import io.citybrain.storage.DataSources;
import io.citybrain.storage.RuntimeRole;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Applies the schema and syncs the registry on a running PostgreSQL/TimescaleDB (cluster mode,
 * compose).
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description =
        "Apply the schema and load the city's registry into a PostgreSQL/TimescaleDB database.")
final class MigrateCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(MigrateCommand.class);

  /** The flag of every migrate setting, for restating a setting's problem as its flag's. */
  static final Flags FLAGS =
      FleetOptions.FLAGS.and(
          Flags.of(
              "database URL",
              "--db-url",
              RuntimeRole.SETTING,
              "--runtime-role",
              "database runtime password",
              "--runtime-password"));

  @Spec CommandSpec spec;

  @Mixin FleetOptions fleet;

  @Option(
      names = "--db-url",
      paramLabel = "JDBC",
      required = true,
      defaultValue = "${env:CITYBRAIN_DB_URL}",
      description =
          "The database, e.g. jdbc:postgresql://127.0.0.1:5432/citybrain?user=postgres (env CITYBRAIN_DB_URL).")
  String dbUrl;

  @Option(
      names = "--runtime-role",
      paramLabel = "ROLE",
      defaultValue = "${env:CITYBRAIN_DB_RUNTIME_ROLE:-" + RuntimeRole.DEFAULT_NAME + "}",
      description =
          "The role the API and the stream job connect as: created when absent, granted the"
              + " tables, never a superuser nor their owner (default: ${DEFAULT-VALUE}, env"
              + " CITYBRAIN_DB_RUNTIME_ROLE).")
  String runtimeRole;

  @Option(
      names = "--runtime-password",
      paramLabel = "PASSWORD",
      defaultValue = "${env:CITYBRAIN_DB_RUNTIME_PASSWORD}",
      description =
          "Its password (env CITYBRAIN_DB_RUNTIME_PASSWORD). Unset: generated and printed once when"
              + " the role cannot log in yet, else left as it is.")
  String runtimePassword;

  /** The parsed flags as a validated value; a bad one names its flag (exit 2). */
  MigrateSettings settings() {
    try {
      return new MigrateSettings(fleet.settings(), dbUrl, runtimeRole, runtimePassword);
    } catch (InvalidSettingException e) {
      throw FLAGS.restate(spec.commandLine(), e);
    }
  }

  @Override
  public Integer call() {
    MigrateSettings settings = settings();
    // Every setting once, masked, beside the logs: stdout is the migration's report.
    LOG.info("{}", settings.describe());
    CitySeeds seeds = settings.fleet().load();
    try (HikariDataSource dataSource =
        DataSources.pooled(settings.dbUrl(), "citybrain-migrate", MigrateSettings.POOL_SIZE)) {
      RegistryLoad load =
          RegistryLoad.apply(
              dataSource,
              seeds,
              settings.fleet().expand(seeds),
              settings.runtimeRole(),
              settings.runtimePassword());
      spec.commandLine().getOut().print(load.describe());
      spec.commandLine().getOut().print(load.describeRuntime(true));
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
