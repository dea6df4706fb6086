package io.citybrain.app;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Fleet;
import io.citybrain.storage.RegistryReport;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Applies the schema and syncs the registry: what every process that owns a database does at start.
 */
record RegistryLoad(Schema.SchemaReport schema, RegistryReport registry, Fleet fleet) {

  static RegistryLoad apply(DataSource dataSource, CitySeeds seeds, Fleet fleet) {
    Schema.SchemaReport schema = Schema.migrate(dataSource);
    return new RegistryLoad(schema, RegistrySync.sync(dataSource, seeds, fleet), fleet);
  }

  /** Lines for the start-up report: schema, registry totals, per-district counts. */
  String describe() {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "  schema      version %s (%s), %d migration(s) applied now%n",
            schema.version(),
            schema.timescale() ? "TimescaleDB" : "plain PostgreSQL",
            schema.applied()));
    text.append(
        String.format(
            Locale.ROOT,
            "  registry    %d districts, %,d devices (scale %s, seed %d)%n",
            registry.districts(),
            registry.devices(),
            fleet.scale(),
            fleet.seed()));
    text.append(
        String.format(Locale.ROOT, "  cameras     Dapeng (DP): %,d%n", registry.cameras("DP")));
    text.append("  districts  ");
    registry
        .devicesByDistrict()
        .forEach(
            (district, count) ->
                text.append(String.format(Locale.ROOT, " %s %,d", district, count)));
    return text.append(System.lineSeparator()).toString();
  }
}
