package io.citybrain.proto.sign;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.citybrain.proto.v1.AckStatus;
import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Java signer against bytes computed by an independent implementation
 * (src/test/python/signing_vectors.py, Python's {@code cryptography} and {@code hmac}); the same
 * vectors are in proto/README.md for device vendors.
 */
class SigningVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String PUBLIC =
      "302a300506032b657003210003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
  private static final String KEY_ID = "a050837d85070582";
  private static final String COMMAND_BYTES =
      "0000001463697479627261696e2e76312e436f6d6d616e6400000008636d642d303030310000000c44502d42"
          + "41522d303030303200000002445000000005636c6f736500000003000000046c616e6500000001320000"
          + "0006726561736f6e00000005666c6f6f6400000006c3a9746167650000000131000001a0c4506c000000"
          + "01a0c45093100000000572756e2d37000000020000000000000010613035303833376438353037303538"
          + "3200000010a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
  private static final String SIGNATURE =
      "5ba02e1cc84d59166bf63b26a395fd3b801fd23ddb3365abdc424bdf3eef0775"
          + "ddf2e777040fec51d1189605c9ffcc1440948b12ace95be3412b57a03091d50c";
  private static final String DIGEST =
      "0a5bf91a5be15d5d75e0f26d961977cf2093ef6e7a220a8fa3353a7549e4ee7b";
  private static final String ACK_BYTES =
      "0000001763697479627261696e2e76312e436f6d6d616e6441636b00000008636d642d303030310000000c44"
          + "502d4241522d3030303032000000024450000000020000000a636c6f736520646f6e65000001a0c4506f"
          + "e8000000000000002a0000000572756e2d3700000002000000200a5bf91a5be15d5d75e0f26d961977cf"
          + "2093ef6e7a220a8fa3353a7549e4ee7b";
  private static final String ACK_SIGNATURE =
      "1f1e60ababdb8b55b5ff43311a8a379935e517ebb3cc8fd7c61b158e799fe8ae";

  /** RFC 8410's PKCS#8 prefix for an Ed25519 private key, then the 32-byte seed 00..1f. */
  private static PrivateKey privateKey() throws Exception {
    byte[] seed = new byte[32];
    for (int i = 0; i < 32; i++) {
      seed[i] = (byte) i;
    }
    byte[] pkcs8 = HEX.parseHex("302e020100300506032b657004220420" + HEX.formatHex(seed));
    return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }

  private static PublicKey publicKey() throws Exception {
    return KeyFactory.getInstance("Ed25519")
        .generatePublic(new X509EncodedKeySpec(HEX.parseHex(PUBLIC)));
  }

  private static Command.Builder command() {
    return Command.newBuilder()
        .setCommandId("cmd-0001")
        .setDeviceId("DP-BAR-00002")
        .setDistrict("DP")
        .setAction("close")
        // Inserted out of order, with a key outside ASCII: the encoding sorts by UTF-8 bytes.
        .putParams("étage", "1")
        .putParams("reason", "flood")
        .putParams("lane", "2")
        .setIssuedAtMs(1_790_000_000_000L)
        .setExpiresAtMs(1_790_000_010_000L)
        .setPlanRunId("run-7")
        .setAttempt(2);
  }

  private static byte[] nonce() {
    byte[] nonce = new byte[16];
    for (int i = 0; i < 16; i++) {
      nonce[i] = (byte) (0xA0 + i);
    }
    return nonce;
  }

  @Test
  @DisplayName("the key id, signed bytes, signature and digest of a command equal Python's")
  void commandVector() throws Exception {
    String keyId =
        HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(HEX.parseHex(PUBLIC)), 0, 8);
    assertThat(keyId).isEqualTo(KEY_ID);
    Command signed = CommandSignature.sign(command(), privateKey(), KEY_ID, nonce());
    assertThat(HEX.formatHex(CanonicalBytes.command(signed))).isEqualTo(COMMAND_BYTES);
    assertThat(HEX.formatHex(signed.getSignature().toByteArray())).isEqualTo(SIGNATURE);
    assertThat(HEX.formatHex(CommandSignature.digest(signed))).isEqualTo(DIGEST);
    assertThat(new CommandSignature(publicKey(), KEY_ID).refusal(signed)).isNull();
  }

  @Test
  @DisplayName("the signed bytes and HMAC of an ack equal Python's")
  void ackVector() {
    byte[] key = new byte[32];
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) (0x40 + i);
    }
    CommandAck ack =
        AckSignature.sign(
            CommandAck.newBuilder()
                .setCommandId("cmd-0001")
                .setDeviceId("DP-BAR-00002")
                .setDistrict("DP")
                .setStatus(AckStatus.ACK_STATUS_DONE)
                .setDetail("close done")
                .setAtMs(1_790_000_001_000L)
                .setSeq(42)
                .setPlanRunId("run-7")
                .setAttempt(2)
                .setCommandDigest(ByteString.copyFrom(HEX.parseHex(DIGEST))),
            key);
    assertThat(HEX.formatHex(CanonicalBytes.ack(ack))).isEqualTo(ACK_BYTES);
    assertThat(HEX.formatHex(ack.getSignature().toByteArray())).isEqualTo(ACK_SIGNATURE);
    assertThat(AckSignature.verifies(ack, key)).isTrue();
    assertThat(AckSignature.verifies(ack.toBuilder().setDetail("close failed").build(), key))
        .isFalse();
    key[0] ^= 1;
    assertThat(AckSignature.verifies(ack, key)).isFalse();
  }

  @Test
  @DisplayName(
      "a verifier refuses unsigned, unknown key, short nonce, and any changed field, by name")
  void refusals() throws Exception {
    CommandSignature verifier = new CommandSignature(publicKey(), KEY_ID);
    Command signed = CommandSignature.sign(command(), privateKey(), KEY_ID);
    assertThat(verifier.refusal(signed)).isNull();
    assertThat(verifier.refusal(command().build())).isEqualTo("unsigned");
    assertThat(verifier.refusal(signed.toBuilder().setKeyId("0000000000000000").build()))
        .isEqualTo("unknown key");
    assertThat(
            verifier.refusal(signed.toBuilder().setNonce(ByteString.copyFrom(new byte[4])).build()))
        .isEqualTo("bad nonce");
    assertThat(verifier.refusal(signed.toBuilder().setAttempt(3).build()))
        .isEqualTo("bad signature");
    assertThat(verifier.refusal(signed.toBuilder().putParams("lane", "3").build()))
        .isEqualTo("bad signature");
    assertThat(verifier.refusal(signed.toBuilder().setExpiresAtMs(Long.MAX_VALUE).build()))
        .isEqualTo("bad signature");
    assertThat(
            verifier.refusal(
                signed.toBuilder().setSignature(ByteString.copyFrom(new byte[3])).build()))
        .isEqualTo("bad signature");
    // Two signings of one command differ by their nonce: no two attempts carry the same bytes.
    assertThat(CommandSignature.sign(command(), privateKey(), KEY_ID).getNonce())
        .isNotEqualTo(signed.getNonce());
  }
}
