package io.citybrain.simulators;

import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.sign.CommandSignature;
import io.citybrain.proto.v1.Command;
import java.time.Duration;
import java.util.Optional;

/**
 * What a device checks of a command before it does anything with it, in this order
 * (proto/README.md, "For device vendors"): the signature ({@code unsigned}, {@code unknown key},
 * {@code bad nonce}, {@code bad signature}), then {@code retained}, {@code misaddressed}, {@code no
 * expiry}, {@code expired}, {@code expiry too far ahead}. A refusal starts with its word; what
 * follows is detail.
 */
final class CommandCheck {
  private final CommandSignature signature;
  private final Duration maxLifetime;

  CommandCheck(CommandSignature signature, Duration maxLifetime) {
    this.signature = signature;
    this.maxLifetime = maxLifetime;
  }

  /**
   * Why the device named by {@code topic} refuses {@code command}, or empty when it may run it.
   *
   * @param retained the MQTT retain flag the command arrived with
   */
  Optional<String> refusal(String topic, boolean retained, Command command, long nowMs) {
    String bad = signature.refusal(command);
    if (bad != null) {
      return Optional.of(bad);
    }
    if (retained) {
      return Optional.of("retained: a command is never retained, a retained one is a replay");
    }
    Optional<Topics.Address> address = Topics.parse(topic);
    if (address.isEmpty()
        || address.get().messageClass() != MessageClass.COMMAND
        || !address.get().district().equals(command.getDistrict())
        || !address.get().sourceId().equals(command.getDeviceId())) {
      return Optional.of(
          "misaddressed: for "
              + command.getDeviceId()
              + " in "
              + command.getDistrict()
              + ", came on "
              + topic);
    }
    long expires = command.getExpiresAtMs();
    if (expires <= 0) {
      return Optional.of("no expiry");
    }
    if (nowMs > expires) {
      return Optional.of("expired at " + expires + " (now " + nowMs + ")");
    }
    if (expires - nowMs > maxLifetime.toMillis()) {
      return Optional.of(
          "expiry too far ahead: "
              + (expires - nowMs)
              + " ms, more than the "
              + maxLifetime.toMillis()
              + " ms a command may live");
    }
    return Optional.empty();
  }
}
