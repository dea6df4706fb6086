package io.citybrain.app;

import io.citybrain.access.BrokerTls;
import io.citybrain.access.CredentialBundles;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.access.Principals;
import io.citybrain.access.Provisioning;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Fleet;
import io.citybrain.settings.InvalidSettingException;
import io.citybrain.simulators.Flags;
import io.citybrain.simulators.FleetOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Writes an installation's credentials: secrets once, then the broker's principals and TLS files on
 * every run (see {@link Provisioning}).
 */
@Command(
    name = "provision",
    mixinStandardHelpOptions = true,
    description =
        "Write an installation's credentials: the services' and the fleet's secrets (made once, kept on "
            + "rerun), the broker's dynamic-security file for every principal of the city, and its TLS "
            + "certificates.")
final class ProvisionCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionCommand.class);

  static final Flags FLAGS =
      FleetOptions.FLAGS.and(
          Flags.of(
              "output folder",
              "--out",
              "TLS name",
              "--tls-name",
              "export",
              "--export",
              "export folder",
              "--export-to"));

  @Spec CommandSpec spec;

  @Mixin FleetOptions fleet;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "The installation's folder; created when missing, its secrets kept when not.")
  Path out;

  @Option(
      names = "--tls-name",
      paramLabel = "NAME",
      description =
          "A host name or IPv4 address clients reach the broker by; repeat for several "
              + "(default: localhost and 127.0.0.1).")
  List<String> tlsNames;

  @Option(
      names = "--export",
      paramLabel = "NAME",
      description =
          "A gateway or device of the fleet whose own credentials go to --export-to OUT/NAME/ (its"
              + " password, ack key(s), the command public key, ca.crt): what a real device or its"
              + " vendor gets instead of fleet/; repeat for several.")
  List<String> exports;

  @Option(
      names = "--export-to",
      paramLabel = "OUT",
      description = "Where the --export bundles go, outside --out.")
  Path exportTo;

  ProvisionSettings settings() {
    try {
      return new ProvisionSettings(fleet.settings(), out, tlsNames, exports, exportTo);
    } catch (InvalidSettingException e) {
      throw FLAGS.restate(spec.commandLine(), e);
    }
  }

  @Override
  public Integer call() {
    ProvisionSettings settings = settings();
    LOG.info("{}", settings.describe());
    CitySeeds seeds = settings.fleet().load();
    Fleet city = settings.fleet().expand(seeds);
    List<Principal> principals;
    List<Principal> exported;
    try {
      principals = Principals.of(seeds.districtCodes(), city);
      // Checked before anything is written: a bad name leaves no half-made installation.
      exported = CredentialBundles.resolve(settings.exports(), principals);
    } catch (InvalidSettingException e) {
      throw FLAGS.restate(spec.commandLine(), e);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("citybrain provision: " + e.getMessage());
      return 1;
    }
    Provisioning.Result result;
    try {
      result = Provisioning.run(settings.out(), principals, settings.tlsNames());
    } catch (InvalidSettingException e) {
      throw FLAGS.restate(spec.commandLine(), e);
    }
    PrintWriter stdout = spec.commandLine().getOut();
    report(stdout, result);
    if (!exported.isEmpty()) {
      CredentialBundles.export(
          Installation.load(settings.out()),
          city,
          exported,
          settings.exportTo(),
          result.brokerFolder().resolve(BrokerTls.CA_CERT));
      for (Principal p : exported) {
        stdout.printf(
            "  exported    %s: give only %s to it or its vendor%n",
            p, settings.exportTo().resolve(p.name()).toAbsolutePath());
      }
      stdout.flush();
    }
    return 0;
  }

  /** What was written and where each folder goes; never a secret. */
  static void report(PrintWriter out, Provisioning.Result r) {
    out.printf(
        "provisioned %s (%s)%n",
        r.folder().toAbsolutePath(),
        r.generated()
            ? "new installation: secrets generated"
            : "existing installation: secrets kept");
    out.printf("  principals  %,d:", r.total());
    r.principals().forEach((kind, n) -> out.printf(" %,d %s", n, kind.name().toLowerCase()));
    out.println();
    out.println("  wrote");
    r.files().forEach(f -> out.printf("    %s%n", f.toAbsolutePath()));
    out.printf(
        "  broker      give the broker %s (dynamic-security.json, broker.crt, broker.key, ca.crt)%n",
        r.brokerFolder().toAbsolutePath());
    out.printf(
        "  simulator   give the simulator only %s: it plays the whole fleet; a real device or"
            + " vendor gets its own bundle (--export NAME --export-to OUT)%n",
        r.fleetFolder().toAbsolutePath());
    out.printf(
        "  stream job  give the job only %s (--mqtt-username %s --mqtt-password-file"
            + " %s --mqtt-ca %s)%n",
        r.jobFolder().toAbsolutePath(),
        Principal.JOB,
        r.jobFolder().resolve(CredentialBundles.MQTT_PASSWORD).toAbsolutePath(),
        r.jobFolder().resolve(BrokerTls.CA_CERT).toAbsolutePath());
    out.printf("  API         reads %s (--credentials)%n", r.folder().toAbsolutePath());
    out.printf(
        "  keep apart  %s holds the CA's key: move it offline; it is needed only to re-issue broker.crt%n",
        r.caFolder().toAbsolutePath());
    out.flush();
  }
}
