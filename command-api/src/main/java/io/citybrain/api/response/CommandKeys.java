package io.citybrain.api.response;

import io.citybrain.access.Installation;
import io.citybrain.proto.sign.CommandSignature;
import io.citybrain.proto.v1.Command;
import java.util.Objects;

/**
 * The API's side of command trust, from the installation: the Ed25519 key that signs every attempt
 * (named by its key id) and the devices' ack keys that acks are verified with.
 */
public final class CommandKeys {
  private final Installation installation;

  private CommandKeys(Installation installation) {
    this.installation = Objects.requireNonNull(installation, "installation");
  }

  public static CommandKeys of(Installation installation) {
    return new CommandKeys(installation);
  }

  /** The attempt with key id, a fresh nonce and its signature. */
  Command sign(Command command) {
    return CommandSignature.sign(
        command.toBuilder(), installation.commandSigningKey(), installation.commandKeyId());
  }

  byte[] ackKey(String deviceId) {
    return installation.ackKey(deviceId);
  }

  /** The signing key's id, for the configuration's description. */
  public String keyId() {
    return installation.commandKeyId();
  }

  @Override
  public String toString() {
    return "CommandKeys[key " + keyId() + " from " + installation.folder() + "]";
  }
}
