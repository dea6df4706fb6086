package io.citybrain.proto.sign;

import com.google.protobuf.ByteString;
import io.citybrain.proto.v1.CommandAck;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signatures of acks with the answering device's own ack key: the device signs, the API
 * verifies (in constant time) before an ack changes anything.
 */
public final class AckSignature {
  private AckSignature() {}

  /** The ack with its signature set; sign last, after seq and every other field. */
  public static CommandAck sign(CommandAck.Builder ack, byte[] ackKey) {
    ack.clearSignature();
    return ack.setSignature(ByteString.copyFrom(mac(CanonicalBytes.ack(ack.build()), ackKey)))
        .build();
  }

  /** True when the ack carries the signature of this key over its canonical bytes. */
  public static boolean verifies(CommandAck ack, byte[] ackKey) {
    if (ack.getSignature().isEmpty()) {
      return false;
    }
    byte[] expected = mac(CanonicalBytes.ack(ack), ackKey);
    return MessageDigest.isEqual(expected, ack.getSignature().toByteArray());
  }

  private static byte[] mac(byte[] data, byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an HMAC-SHA256 key: " + e.getMessage(), e);
    }
  }
}
