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
 * What {@code citybrain provision} runs with: the installation's folder, the broker's TLS names and
 * the city whose fleet becomes the broker's principals.
 */
record ProvisionSettings(FleetSettings fleet, Path out, List<String> tlsNames)
    implements Described {
  ProvisionSettings {
    Objects.requireNonNull(fleet, "fleet");
    Check.require(out != null, "output folder", "must be set");
    tlsNames =
        tlsNames == null || tlsNames.isEmpty() ? BrokerTls.DEFAULT_NAMES : List.copyOf(tlsNames);
    tlsNames.forEach(BrokerTls::check);
  }

  @Override
  public Description describe() {
    return new Description("provision")
        .add("output folder", out)
        .add("TLS name", String.join(", ", tlsNames))
        .include(fleet);
  }
}
