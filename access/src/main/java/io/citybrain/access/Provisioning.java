package io.citybrain.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Provisions an installation: its secrets (generated the first time, kept on every rerun), the
 * broker's dynamic-security file for the current principals (rewritten each run) and its TLS files.
 *
 * <pre>
 * DIR/                 the services' secrets (API, stream job): keep on the servers that run them
 * DIR/fleet/           the simulator's (it plays the whole fleet; + ca.crt, to trust the broker)
 * DIR/job/             the stream job's own password and ca.crt: all it mounts
 * DIR/ca/              the CA's key: keep it apart, offline; needed only to re-issue broker.crt
 * DIR/broker/          what the broker mounts: dynamic-security.json, broker.crt, broker.key, ca.crt
 * </pre>
 */
public final class Provisioning {
  public static final String BROKER_FOLDER = "broker";

  private Provisioning() {}

  /** What one run wrote. */
  public record Result(
      Path folder, boolean generated, Map<Principal.Kind, Integer> principals, List<Path> files) {
    public Path fleetFolder() {
      return folder.resolve(Installation.FLEET);
    }

    public Path jobFolder() {
      return folder.resolve(CredentialBundles.JOB_FOLDER);
    }

    public Path caFolder() {
      return folder.resolve(BrokerTls.CA_FOLDER);
    }

    public Path brokerFolder() {
      return folder.resolve(BROKER_FOLDER);
    }

    public int total() {
      return principals.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** Provisions {@code folder} for these principals (see {@link Principals#of}). */
  public static Result run(Path folder, List<Principal> principals, List<String> tlsNames) {
    // Checked before anything is written: a bad name leaves no half-made installation.
    tlsNames.forEach(BrokerTls::check);
    boolean generated = !Files.exists(folder.resolve(Installation.SERVICE_SECRET));
    Installation installation =
        generated ? Installation.generate(folder) : Installation.load(folder);
    List<Path> files = new ArrayList<>();
    Path broker = folder.resolve(BROKER_FOLDER);
    Path dynsec = broker.resolve(DynamicSecurityFile.NAME);
    DynamicSecurityFile.write(dynsec, principals, installation);
    files.add(dynsec);
    files.addAll(BrokerTls.write(folder, broker, tlsNames));
    Path fleetCa = folder.resolve(Installation.FLEET).resolve(BrokerTls.CA_CERT);
    try {
      Files.copy(broker.resolve(BrokerTls.CA_CERT), fleetCa, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the CA certificate to " + fleetCa, e);
    }
    files.add(fleetCa);
    files.addAll(
        CredentialBundles.writeJob(folder, installation, broker.resolve(BrokerTls.CA_CERT)));
    Map<Principal.Kind, Integer> counts = new TreeMap<>();
    principals.forEach(p -> counts.merge(p.kind(), 1, Integer::sum));
    return new Result(folder, generated, counts, List.copyOf(files));
  }
}
