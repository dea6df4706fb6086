package io.citybrain.access;

import io.citybrain.seeds.Device;
import io.citybrain.seeds.DeviceClass;
import io.citybrain.seeds.Fleet;
import io.citybrain.settings.InvalidSettingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One principal's own credentials, and nothing that derives another's: the stream job's folder
 * ({@code DIR/job/}) and a device's or gateway's bundle for its vendor ({@code provision --export
 * NAME --export-to OUT}).
 *
 * <pre>
 * DIR/job/mqtt.password          the stream job's MQTT password (citybrain-job)
 * DIR/job/ca.crt                 the CA that signed the broker's certificate
 * OUT/NAME/mqtt.password         the device's or gateway's MQTT password (username NAME)
 * OUT/NAME/ack.key               a device's HMAC-SHA256 ack key (base64)
 * OUT/NAME/ack-keys/DEVICE       a gateway's: the ack key of each actuator whose acks it carries
 * OUT/NAME/command-signing.pub   the API's Ed25519 public key (X.509, base64): verifies commands
 * OUT/NAME/ca.crt                the CA that signed the broker's certificate
 * OUT/NAME/README.txt            what the folder is, in two lines
 * </pre>
 *
 * Every file and folder is owner-only; no bundle holds {@code mqtt.secret} or {@code
 * device.secret}.
 */
public final class CredentialBundles {
  public static final String JOB_FOLDER = "job";
  public static final String MQTT_PASSWORD = "mqtt.password";
  public static final String ACK_KEY = "ack.key";
  public static final String ACK_KEYS = "ack-keys";
  public static final String README = "README.txt";

  private CredentialBundles() {}

  /**
   * Writes {@code folder/job/}: the stream job's password and the CA certificate, all the job needs
   * (rewritten on every run; both derive from what the installation keeps).
   */
  public static List<Path> writeJob(Path folder, Installation installation, Path caCert) {
    Path job = folder.resolve(JOB_FOLDER);
    ownerOnlyFolder(job);
    Path password = job.resolve(MQTT_PASSWORD);
    SecretFiles.replace(password, installation.password(Principal.job()) + "\n");
    Path ca = job.resolve(BrokerTls.CA_CERT);
    SecretFiles.replace(ca, read(caCert));
    return List.of(password, ca);
  }

  /**
   * The gateways and devices named, in order, without repeats; fails with an exact message on a
   * service or a name that is no gateway or device of {@code principals}.
   */
  public static List<Principal> resolve(List<String> names, List<Principal> principals) {
    Map<String, Principal> byName = new LinkedHashMap<>();
    principals.forEach(p -> byName.put(p.name(), p));
    Map<String, Principal> out = new LinkedHashMap<>();
    for (String name : names) {
      Principal p = byName.get(name);
      if (p == null && Principal.SERVICE_NAMES.contains(name)) {
        p = Principal.service(name);
      }
      if (p == null) {
        throw new InvalidSettingException(
            "export",
            "must name a gateway or a device of the provisioned fleet, was '" + name + "'");
      }
      if (p.kind().service()) {
        throw new InvalidSettingException(
            "export",
            "names the service "
                + name
                + ": a service's password never leaves the installation (the stream job's is in"
                + " DIR/"
                + JOB_FOLDER
                + "/); export a gateway or a device");
      }
      out.putIfAbsent(name, p);
    }
    return List.copyOf(out.values());
  }

  /** Writes {@code out/<name>/} for each principal; returns the files written. */
  public static List<Path> export(
      Installation installation, Fleet fleet, List<Principal> principals, Path out, Path caCert) {
    String ca = read(caCert);
    String commandKey = Base64.getEncoder().encodeToString(installation.commandKey().getEncoded());
    List<Path> written = new ArrayList<>();
    if (!Files.isDirectory(out)) {
      // Only a folder made here is narrowed: OUT may be one the user shares (never chmod /tmp).
      ownerOnlyFolder(out);
    }
    for (Principal p : principals) {
      Path bundle = out.resolve(p.name());
      ownerOnlyFolder(bundle);
      written.add(put(bundle.resolve(MQTT_PASSWORD), installation.password(p) + "\n"));
      if (p.kind() == Principal.Kind.DEVICE) {
        written.add(put(bundle.resolve(ACK_KEY), base64(installation.ackKey(p.name()))));
      } else {
        written.addAll(ackKeys(installation, bundle.resolve(ACK_KEYS), carried(p, fleet)));
      }
      written.add(put(bundle.resolve(FleetCredentials.COMMAND_PUBLIC_KEY), commandKey + "\n"));
      written.add(put(bundle.resolve(BrokerTls.CA_CERT), ca));
      written.add(put(bundle.resolve(README), readme(p)));
    }
    return List.copyOf(written);
  }

  /**
   * The actuators whose acks a gateway signs: as the simulator's connection plan routes them, a
   * district's IoT gateway carries every device of its district (commands and acks), and a gateway
   * the seeds name carries the devices that name it. Only actuators take commands, so only they
   * ack.
   */
  static Set<String> carried(Principal gateway, Fleet fleet) {
    boolean districtGateway = gateway.equals(Principal.districtGateway(gateway.district()));
    Set<String> ids = new TreeSet<>();
    for (Device d : fleet.devices()) {
      boolean carries =
          districtGateway
              ? d.district().equals(gateway.district())
              : gateway.name().equals(d.gatewayId());
      if (carries && d.deviceClass() == DeviceClass.ACTUATOR) {
        ids.add(d.id());
      }
    }
    return ids;
  }

  private static List<Path> ackKeys(Installation installation, Path folder, Set<String> ids) {
    ownerOnlyFolder(folder);
    // A rerun for a smaller fleet leaves no key of a device the gateway no longer carries.
    try (Stream<Path> old = Files.list(folder)) {
      for (Path f : old.toList()) {
        if (!ids.contains(f.getFileName().toString())) {
          Files.delete(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean " + folder, e);
    }
    List<Path> written = new ArrayList<>();
    for (String id : ids) {
      written.add(put(folder.resolve(id), base64(installation.ackKey(id))));
    }
    return written;
  }

  private static String readme(Principal p) {
    String what =
        p.kind() == Principal.Kind.DEVICE
            ? "device " + p.name() + " (" + p.district() + ")"
            : "gateway " + p.name() + " (" + p.district() + ")";
    return "CityBrain credentials of "
        + what
        + ": MQTT username "
        + p.name()
        + " with mqtt.password, over TLS trusting ca.crt.\n"
        + (p.kind() == Principal.Kind.DEVICE
            ? "Verify each command with command-signing.pub; sign each ack with ack.key (HMAC-SHA256)."
            : "Verify each command with command-signing.pub; sign a device's ack with ack-keys/<device>.")
        + " Keep this folder owner-only.\n";
  }

  private static Path put(Path file, String text) {
    SecretFiles.replace(file, text);
    return file;
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes) + "\n";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void ownerOnlyFolder(Path folder) {
    try {
      Files.createDirectories(folder);
      try {
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException notPosix) {
        // Not a POSIX file system: nothing to set.
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make " + folder, e);
    }
  }
}
