package io.citybrain.app;

import io.citybrain.access.BrokerTls;
import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.simulators.FleetSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@code citybrain provision} runs with: the installation's folder, the broker's TLS names,
 * the city whose fleet becomes the broker's principals, and the gateways and devices whose own
 * bundles go to {@code exportTo}.
 */
record ProvisionSettings(
    FleetSettings fleet, Path out, List<String> tlsNames, List<String> exports, Path exportTo)
    implements Described {
  ProvisionSettings {
    Objects.requireNonNull(fleet, "fleet");
    Check.require(out != null, "output folder", "must be set");
    tlsNames =
        tlsNames == null || tlsNames.isEmpty() ? BrokerTls.DEFAULT_NAMES : List.copyOf(tlsNames);
    tlsNames.forEach(BrokerTls::check);
    exports = exports == null ? List.of() : List.copyOf(exports);
    Check.require(
        exports.isEmpty() || exportTo != null,
        "export",
        "needs the bundles' folder: --export-to OUT");
    Check.require(
        exportTo == null || !exports.isEmpty(),
        "export folder",
        "needs at least one --export NAME (a gateway or a device)");
    // A bundle inside the installation would be mounted with it: keep them apart.
    Check.require(
        exportTo == null
            || !exportTo.toAbsolutePath().normalize().startsWith(out.toAbsolutePath().normalize()),
        "export folder",
        "must be outside the installation's folder " + out + ", was " + exportTo);
  }

  @Override
  public Description describe() {
    return new Description("provision")
        .add("output folder", out)
        .add("TLS name", String.join(", ", tlsNames))
        .add("export", exports.isEmpty() ? "(none)" : String.join(", ", exports))
        .add("export folder", exportTo == null ? "(none)" : exportTo)
        .include(fleet);
  }
}
