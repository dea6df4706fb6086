package io.citybrain.app;

import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.settings.InvalidSettingException;
import io.citybrain.simulators.Flags;
import io.citybrain.simulators.FleetOptions;
import io.citybrain.storage.DataSources;
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
  static final Flags FLAGS = FleetOptions.FLAGS.and(Flags.of("database URL", "--db-url"));

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

  /** The parsed flags as a validated value; a bad one names its flag (exit 2). */
  MigrateSettings settings() {
    try {
      return new MigrateSettings(fleet.settings(), dbUrl);
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
      RegistryLoad load = RegistryLoad.apply(dataSource, seeds, settings.fleet().expand(seeds));
      spec.commandLine().getOut().print(load.describe());
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
