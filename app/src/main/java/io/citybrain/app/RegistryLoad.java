package io.citybrain.app;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Fleet;
import io.citybrain.storage.RegistryReport;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.RuntimeRole;
import io.citybrain.storage.Schema;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Applies the schema and syncs the registry: what every process that owns a database does at start.
 */
record RegistryLoad(
    Schema.SchemaReport schema, RegistryReport registry, Fleet fleet, RuntimeRole.Login runtime) {

  /**
   * As the schema's owner: migrates, syncs, and lets the runtime role log in ({@code
   * runtimePassword} null: generated when the role cannot log in yet, else left as it is).
   */
  static RegistryLoad apply(
      DataSource dataSource,
      CitySeeds seeds,
      Fleet fleet,
      String runtimeRole,
      String runtimePassword) {
    Schema.SchemaReport schema = Schema.migrate(dataSource, runtimeRole);
    RegistryReport registry = RegistrySync.sync(dataSource, seeds, fleet);
    return new RegistryLoad(
        schema, registry, fleet, RuntimeRole.provision(dataSource, runtimeRole, runtimePassword));
  }

  /** The runtime role's line: its password shown here only when it was generated just now. */
  String describeRuntime(boolean showGenerated) {
    String how;
    if (runtime.password() == null) {
      how = "logs in already; password unchanged";
    } else if (!runtime.generated()) {
      how = "password set as configured";
    } else if (showGenerated) {
      how = "password generated, shown once: " + runtime.password();
    } else {
      how = "password generated for this run";
    }
    return String.format(
        Locale.ROOT,
        "  db role     %s (no superuser, owns nothing, audit log insert-only; %s)%n",
        runtime.role(),
        how);
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
