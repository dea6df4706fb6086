package io.citybrain.access;

import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;

/**
 * What the simulator holds, as it plays the whole fleet: the secrets that derive each device's and
 * gateway's MQTT password and ack key, and the API's public command key. It cannot derive a
 * service's password or sign a command, but it logs in as any device: a real device or its vendor
 * gets its own bundle instead ({@link CredentialBundles}).
 */
public final class FleetCredentials {
  /** The files, in the installation's {@code fleet/} folder. */
  public static final String MQTT_SECRET = "mqtt.secret";

  public static final String DEVICE_SECRET = "device.secret";
  public static final String COMMAND_PUBLIC_KEY = "command-signing.pub";

  private final Path folder;
  private final byte[] mqttSecret;
  private final byte[] deviceSecret;
  private final PublicKey commandKey;

  FleetCredentials(Path folder, byte[] mqttSecret, byte[] deviceSecret, PublicKey commandKey) {
    this.folder = folder;
    this.mqttSecret = mqttSecret.clone();
    this.deviceSecret = deviceSecret.clone();
    this.commandKey = commandKey;
  }

  /** Reads a fleet folder (or an installation folder holding one in {@code fleet/}). */
  public static FleetCredentials load(Path folder) {
    Path f =
        folder.resolve(Installation.FLEET).toFile().isDirectory()
            ? folder.resolve(Installation.FLEET)
            : folder;
    byte[] mqtt = SecretFiles.readBase64(f.resolve(MQTT_SECRET), "fleet credentials");
    byte[] device = SecretFiles.readBase64(f.resolve(DEVICE_SECRET), "fleet credentials");
    byte[] pub = SecretFiles.readBase64(f.resolve(COMMAND_PUBLIC_KEY), "fleet credentials");
    try {
      PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(pub));
      return new FleetCredentials(f, mqtt, device, key);
    } catch (java.security.GeneralSecurityException e) {
      throw new io.citybrain.settings.InvalidSettingException(
          "fleet credentials", "file " + f.resolve(COMMAND_PUBLIC_KEY) + " is not an Ed25519 key");
    }
  }

  /** The folder these were read from. */
  public Path folder() {
    return folder;
  }

  /** A device's or gateway's MQTT password; a service's is not derivable here. */
  public String password(Principal p) {
    if (p.kind().service()) {
      throw new IllegalArgumentException(
          "fleet credentials hold no service passwords; " + p + " needs the installation's");
    }
    return Secrets.password(mqttSecret, p.name());
  }

  /** The HMAC-SHA256 key a device signs its acks with (and the API verifies them with). */
  public byte[] ackKey(String deviceId) {
    return Secrets.derive(deviceSecret, "ack:" + deviceId);
  }

  /** The API's Ed25519 public key: devices verify every command with it. */
  public PublicKey commandKey() {
    return commandKey;
  }

  /** The command key's id, as commands name it: the first 8 bytes of its SHA-256, in hex. */
  public String commandKeyId() {
    return Installation.keyId(commandKey);
  }
}
