package io.citybrain.access;

import io.citybrain.settings.InvalidSettingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.HexFormat;

/**
 * One installation's secrets, generated once by {@code citybrain provision} and never defaulted:
 *
 * <pre>
 * DIR/service.secret            derives the services' MQTT passwords (api, job, observer, admin)
 * DIR/command-signing.key       the API's Ed25519 private key (PKCS#8, base64)
 * DIR/fleet/mqtt.secret         derives each device's and gateway's MQTT password
 * DIR/fleet/device.secret       derives each device's ack key
 * DIR/fleet/command-signing.pub the API's public key (X.509, base64)
 * </pre>
 *
 * Every file is owner-only; the {@code fleet/} folder alone is what the simulator gets ({@link
 * FleetCredentials}); a real device or its vendor gets its own bundle ({@link CredentialBundles}).
 */
public final class Installation {
  public static final String FLEET = "fleet";
  public static final String SERVICE_SECRET = "service.secret";
  public static final String COMMAND_PRIVATE_KEY = "command-signing.key";

  private final Path folder;
  private final byte[] serviceSecret;
  private final PrivateKey commandSigningKey;
  private final FleetCredentials fleet;

  private Installation(
      Path folder, byte[] serviceSecret, PrivateKey commandSigningKey, FleetCredentials fleet) {
    this.folder = folder;
    this.serviceSecret = serviceSecret.clone();
    this.commandSigningKey = commandSigningKey;
    this.fleet = fleet;
  }

  /** Generates a new installation's secrets into an empty or missing folder. */
  public static Installation generate(Path folder) {
    if (Files.exists(folder.resolve(SERVICE_SECRET))) {
      throw new IllegalStateException(
          folder + " holds an installation already; secrets are never overwritten");
    }
    KeyPair pair;
    try {
      pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every Java 17 runtime", e);
    }
    Path fleet = folder.resolve(FLEET);
    SecretFiles.writeBase64(folder.resolve(SERVICE_SECRET), Secrets.random(32));
    SecretFiles.writeBase64(folder.resolve(COMMAND_PRIVATE_KEY), pair.getPrivate().getEncoded());
    SecretFiles.writeBase64(fleet.resolve(FleetCredentials.MQTT_SECRET), Secrets.random(32));
    SecretFiles.writeBase64(fleet.resolve(FleetCredentials.DEVICE_SECRET), Secrets.random(32));
    SecretFiles.writeBase64(
        fleet.resolve(FleetCredentials.COMMAND_PUBLIC_KEY), pair.getPublic().getEncoded());
    return load(folder);
  }

  /** Reads an installation; fails with an exact message naming the missing or unsafe file. */
  public static Installation load(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new InvalidSettingException(
          "credentials",
          "folder "
              + folder
              + " does not exist; create one with: citybrain provision --out "
              + folder);
    }
    byte[] service = SecretFiles.readBase64(folder.resolve(SERVICE_SECRET), "credentials");
    byte[] key = SecretFiles.readBase64(folder.resolve(COMMAND_PRIVATE_KEY), "credentials");
    PrivateKey signing;
    try {
      signing = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(key));
    } catch (GeneralSecurityException e) {
      throw new InvalidSettingException(
          "credentials", "file " + folder.resolve(COMMAND_PRIVATE_KEY) + " is not an Ed25519 key");
    }
    return new Installation(folder, service, signing, FleetCredentials.load(folder.resolve(FLEET)));
  }

  public Path folder() {
    return folder;
  }

  /** The MQTT password of any principal of this installation. */
  public String password(Principal p) {
    return p.kind().service() ? Secrets.password(serviceSecret, p.name()) : fleet.password(p);
  }

  /** The devices' side of this installation. */
  public FleetCredentials fleet() {
    return fleet;
  }

  /** The API's Ed25519 key that signs every command. */
  public PrivateKey commandSigningKey() {
    return commandSigningKey;
  }

  public PublicKey commandKey() {
    return fleet.commandKey();
  }

  public String commandKeyId() {
    return fleet.commandKeyId();
  }

  /** A device's ack key (see {@link FleetCredentials#ackKey}). */
  public byte[] ackKey(String deviceId) {
    return fleet.ackKey(deviceId);
  }

  static String keyId(PublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
