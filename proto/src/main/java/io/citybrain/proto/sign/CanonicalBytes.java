package io.citybrain.proto.sign;

import io.citybrain.proto.v1.Command;
import io.citybrain.proto.v1.CommandAck;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The exact bytes a command's and an ack's signature covers: a fixed, documented encoding (see
 * proto/README.md, "For device vendors"), never protobuf's serialization, which is not canonical
 * across implementations.
 *
 * <p>Each field in a fixed order: a text as its UTF-8 length (4 bytes, big-endian) then its bytes;
 * bytes likewise; a 64-bit number as 8 bytes big-endian (two's complement); a 32-bit number as 4
 * bytes big-endian. The first field is a label naming the message, so a command's bytes can never
 * pass for an ack's. Params: their count (4 bytes), then key and value of each, keys sorted by
 * their UTF-8 bytes compared unsigned. The signature field itself is never included.
 */
public final class CanonicalBytes {
  /** The label that starts a command's signed bytes. */
  public static final String COMMAND_LABEL = "citybrain.v1.Command";

  /** The label that starts an ack's signed bytes. */
  public static final String ACK_LABEL = "citybrain.v1.CommandAck";

  private CanonicalBytes() {}

  /**
   * label, command_id, device_id, district, action, params, issued_at_ms, expires_at_ms,
   * plan_run_id, attempt, cancels_command_id, key_id, nonce.
   */
  public static byte[] command(Command c) {
    Writer w = new Writer();
    w.text(COMMAND_LABEL);
    w.text(c.getCommandId());
    w.text(c.getDeviceId());
    w.text(c.getDistrict());
    w.text(c.getAction());
    w.params(c.getParamsMap());
    w.int64(c.getIssuedAtMs());
    w.int64(c.getExpiresAtMs());
    w.text(c.getPlanRunId());
    w.int32(c.getAttempt());
    w.text(c.getCancelsCommandId());
    w.text(c.getKeyId());
    w.bytes(c.getNonce().toByteArray());
    return w.out.toByteArray();
  }

  /**
   * label, command_id, device_id, district, status (its enum number), detail, at_ms, seq,
   * plan_run_id, attempt, command_digest.
   */
  public static byte[] ack(CommandAck a) {
    Writer w = new Writer();
    w.text(ACK_LABEL);
    w.text(a.getCommandId());
    w.text(a.getDeviceId());
    w.text(a.getDistrict());
    w.int32(a.getStatusValue());
    w.text(a.getDetail());
    w.int64(a.getAtMs());
    w.int64(a.getSeq());
    w.text(a.getPlanRunId());
    w.int32(a.getAttempt());
    w.bytes(a.getCommandDigest().toByteArray());
    return w.out.toByteArray();
  }

  /** Length-prefixed fields in order. */
  private static final class Writer {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    void text(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(byte[] b) {
      int32(b.length);
      out.writeBytes(b);
    }

    void int32(int v) {
      out.write(v >>> 24);
      out.write(v >>> 16);
      out.write(v >>> 8);
      out.write(v);
    }

    void int64(long v) {
      int32((int) (v >>> 32));
      int32((int) v);
    }

    void params(Map<String, String> params) {
      List<byte[][]> pairs = new ArrayList<>(params.size());
      params.forEach(
          (k, v) ->
              pairs.add(
                  new byte[][] {
                    k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)
                  }));
      // By UTF-8 bytes, unsigned: the same order in every language (Java's String order is
      // UTF-16's).
      pairs.sort((x, y) -> Arrays.compareUnsigned(x[0], y[0]));
      int32(pairs.size());
      for (byte[][] pair : pairs) {
        bytes(pair[0]);
        bytes(pair[1]);
      }
    }
  }
}
