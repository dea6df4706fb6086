package io.citybrain.api.response;

import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.sign.AckSignature;
import io.citybrain.proto.v1.CommandAck;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * What an ack must prove before it may change a command's state, in this order: it came on the ack
 * topic of the device and district it names ({@code misaddressed}), it carries that device's HMAC
 * ({@code unsigned}, {@code bad signature}), and it names the digest of the very attempt the API
 * sent ({@code unknown attempt}, {@code digest mismatch}). Pure: the keys and the sent digests come
 * from the caller.
 */
final class AckCheck {
  private AckCheck() {}

  /**
   * Why the ack is refused, or empty when it verifies.
   *
   * @param sentDigest the digest of the signed attempt the ack names; null when none was sent
   */
  static Optional<String> refusal(String topic, CommandAck ack, byte[] ackKey, byte[] sentDigest) {
    Optional<Topics.Address> address = Topics.parse(topic);
    if (address.isEmpty()
        || address.get().messageClass() != MessageClass.ACK
        || !address.get().district().equals(ack.getDistrict())
        || !address.get().sourceId().equals(ack.getDeviceId())) {
      return Optional.of(
          "misaddressed: from " + ack.getDeviceId() + " in " + ack.getDistrict() + " on " + topic);
    }
    if (ack.getSignature().isEmpty()) {
      return Optional.of("unsigned");
    }
    if (!AckSignature.verifies(ack, ackKey)) {
      return Optional.of("bad signature");
    }
    if (sentDigest == null) {
      return Optional.of("unknown attempt " + ack.getAttempt() + " of " + ack.getCommandId());
    }
    if (!MessageDigest.isEqual(sentDigest, ack.getCommandDigest().toByteArray())) {
      return Optional.of("digest mismatch: not the command sent as attempt " + ack.getAttempt());
    }
    return Optional.empty();
  }
}
