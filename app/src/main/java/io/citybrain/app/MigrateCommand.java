package io.citybrain.app;

import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.simulators.FleetOptions;
import io.citybrain.storage.DataSources;
import java.util.concurrent.Callable;
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

  @Override
  public Integer call() {
    CitySeeds seeds = fleet.load();
    try (HikariDataSource dataSource = DataSources.pooled(dbUrl, "citybrain-migrate", 2)) {
      RegistryLoad load = RegistryLoad.apply(dataSource, seeds, fleet.expand(seeds));
      spec.commandLine().getOut().print(load.describe());
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
