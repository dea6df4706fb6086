package io.citybrain.proto.sign;

import com.google.protobuf.ByteString;
import io.citybrain.proto.v1.Command;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Objects;

/**
 * Ed25519 signatures of commands: the API signs every attempt with its private key; a device
 * verifies with the API's public key before it looks at anything else. A verifier names why it
 * refuses: {@link #UNSIGNED}, {@link #UNKNOWN_KEY}, {@link #BAD_NONCE} or {@link #BAD_SIGNATURE}.
 */
public final class CommandSignature {
  public static final String UNSIGNED = "unsigned";
  public static final String UNKNOWN_KEY = "unknown key";
  public static final String BAD_NONCE = "bad nonce";
  public static final String BAD_SIGNATURE = "bad signature";

  /** Bytes of random nonce per attempt. */
  public static final int NONCE_BYTES = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final PublicKey publicKey;
  private final String keyId;

  /** A verifier that trusts one key, named by its id. */
  public CommandSignature(PublicKey publicKey, String keyId) {
    this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
    this.keyId = Objects.requireNonNull(keyId, "keyId");
  }

  /** The command with key id, a fresh random nonce and its signature set. */
  public static Command sign(Command.Builder command, PrivateKey key, String keyId) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return sign(command, key, keyId, nonce);
  }

  /** As {@link #sign(Command.Builder, PrivateKey, String)} with a given nonce (test vectors). */
  public static Command sign(Command.Builder command, PrivateKey key, String keyId, byte[] nonce) {
    command.setKeyId(keyId).setNonce(ByteString.copyFrom(nonce)).clearSignature();
    byte[] signed = CanonicalBytes.command(command.build());
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(signed);
      return command.setSignature(ByteString.copyFrom(s.sign())).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage(), e);
    }
  }

  /** Why this command's signature is refused, or null when it verifies. */
  public String refusal(Command command) {
    if (command.getSignature().isEmpty()) {
      return UNSIGNED;
    }
    if (!keyId.equals(command.getKeyId())) {
      return UNKNOWN_KEY;
    }
    if (command.getNonce().size() != NONCE_BYTES) {
      return BAD_NONCE;
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(publicKey);
      s.update(CanonicalBytes.command(command));
      return s.verify(command.getSignature().toByteArray()) ? null : BAD_SIGNATURE;
    } catch (java.security.SignatureException e) {
      return BAD_SIGNATURE; // a signature of the wrong length or encoding
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every Java 17 runtime", e);
    }
  }

  /** SHA-256 of the command's signed bytes: what an ack names in {@code command_digest}. */
  public static byte[] digest(Command command) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(CanonicalBytes.command(command));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
