package io.citybrain.access;

import io.citybrain.settings.InvalidSettingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * The flags by which a process says how it logs in to the broker (a picocli mixin shared by the
 * job, the API, the simulator): an installation's folder, or a username with a password file, and
 * the CA of a TLS broker. A password is never a flag value (it would show in {@code ps} and shell
 * history): it comes from a file or the environment.
 */
public final class BrokerLoginOptions {
  /** The environment variable a password may come from instead of a file. */
  public static final String PASSWORD_ENV = "CITYBRAIN_MQTT_PASSWORD";

  static final String CREDENTIALS = "--credentials";
  static final String USERNAME = "--mqtt-username";
  static final String PASSWORD_FILE = "--mqtt-password-file";
  static final String CA = "--mqtt-ca";

  @Option(
      names = CREDENTIALS,
      paramLabel = "DIR",
      defaultValue = "${env:CITYBRAIN_CREDENTIALS}",
      description =
          "The installation's credentials folder (made by citybrain provision --out DIR); the"
              + " simulator takes its fleet/ folder (env CITYBRAIN_CREDENTIALS).")
  Path credentials;

  @Option(
      names = USERNAME,
      paramLabel = "NAME",
      defaultValue = "${env:CITYBRAIN_MQTT_USERNAME}",
      description =
          "Log in with this MQTT username instead of --credentials; its password comes from "
              + PASSWORD_FILE
              + " or env "
              + PASSWORD_ENV
              + " (env CITYBRAIN_MQTT_USERNAME).")
  String username;

  @Option(
      names = PASSWORD_FILE,
      paramLabel = "FILE",
      description = "An owner-only file holding the password of " + USERNAME + ".")
  Path passwordFile;

  @Option(
      names = CA,
      paramLabel = "FILE",
      defaultValue = "${env:CITYBRAIN_MQTT_CA}",
      description =
          "PEM certificate of the CA that signed the broker's (for ssl:// URLs; default: the"
              + " JVM's CAs) (env CITYBRAIN_MQTT_CA).")
  Path caCertificate;

  private final UnaryOperator<String> environment;

  /** What picocli instantiates: the password variable is read from the process's environment. */
  public BrokerLoginOptions() {
    this(System::getenv);
  }

  /** Options reading the password variable from {@code environment} (tests pass their own). */
  BrokerLoginOptions(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  /**
   * The login of a service of ours ({@link Principal#job}, {@link Principal#api}): from {@code
   * --mqtt-username} and its password, or derived from the installation in {@code --credentials};
   * fails with an {@link InvalidSettingException} naming the flag and how to fix it.
   */
  public BrokerLogin serviceLogin(Principal service) {
    if (!service.kind().service()) {
      throw new IllegalArgumentException(service + " is not a service");
    }
    if (username != null) {
      if (credentials != null) {
        throw new InvalidSettingException(
            USERNAME, "and " + CREDENTIALS + " are two logins; give one of them");
      }
      return new BrokerLogin(username, password());
    }
    if (passwordFile != null) {
      throw new InvalidSettingException(PASSWORD_FILE, "needs " + USERNAME + " NAME");
    }
    if (credentials == null) {
      throw new InvalidSettingException(
          CREDENTIALS,
          "is missing: the broker refuses anonymous clients; give "
              + CREDENTIALS
              + " DIR (citybrain provision --out DIR makes one) or "
              + USERNAME
              + " NAME with "
              + PASSWORD_FILE
              + " FILE");
    }
    requireFolder();
    if (!Files.exists(credentials.resolve(Installation.SERVICE_SECRET))
        && Files.exists(credentials.resolve(FleetCredentials.MQTT_SECRET))) {
      throw new InvalidSettingException(
          CREDENTIALS,
          "folder "
              + credentials
              + " is a fleet folder: it holds no service passwords; give the installation's"
              + " folder (the parent of fleet/)");
    }
    try {
      return BrokerLogin.of(Installation.load(credentials), service);
    } catch (InvalidSettingException e) {
      throw new InvalidSettingException(CREDENTIALS, e.problem());
    }
  }

  /**
   * The devices' and gateways' credentials, from {@code --credentials} (a fleet folder or an
   * installation folder holding one): what the simulator logs in with.
   */
  public FleetCredentials fleet() {
    if (username != null || passwordFile != null) {
      throw new InvalidSettingException(
          username != null ? USERNAME : PASSWORD_FILE,
          "is one login; the simulator logs in as many gateways or devices: give "
              + CREDENTIALS
              + " DIR (the fleet folder)");
    }
    if (credentials == null) {
      throw new InvalidSettingException(
          CREDENTIALS,
          "is missing: the broker refuses anonymous clients; give "
              + CREDENTIALS
              + " DIR, the installation's fleet/ folder (citybrain provision --out DIR makes"
              + " one)");
    }
    requireFolder();
    try {
      return FleetCredentials.load(credentials);
    } catch (InvalidSettingException e) {
      throw new InvalidSettingException(CREDENTIALS, e.problem());
    }
  }

  /** The folder {@code --credentials} names, or null. */
  public Path credentials() {
    return credentials;
  }

  /** The broker's CA certificate ({@code --mqtt-ca}), or null for the JVM's CAs. */
  public Path caCertificate() {
    return caCertificate;
  }

  private void requireFolder() {
    if (!Files.isDirectory(credentials)) {
      throw new InvalidSettingException(
          CREDENTIALS,
          "folder "
              + credentials
              + " does not exist; create one with: citybrain provision --out "
              + credentials);
    }
  }

  private String password() {
    if (passwordFile != null) {
      return SecretFiles.read(passwordFile, PASSWORD_FILE);
    }
    String fromEnvironment = environment.apply(PASSWORD_ENV);
    if (fromEnvironment == null || fromEnvironment.isEmpty()) {
      throw new InvalidSettingException(
          USERNAME,
          username
              + " needs its password: "
              + PASSWORD_FILE
              + " FILE or env "
              + PASSWORD_ENV
              + " (never a flag value)");
    }
    return fromEnvironment;
  }
}
