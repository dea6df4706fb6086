package io.citybrain.access;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The client id a logged-in client shows the broker: its chosen id plus a tag only its password can
 * make. Client ids are predictable ({@code citybrain-stream-lane-0}); without the tag any principal
 * could connect under the job's id and take over its persistent session and queue (Mosquitto's
 * plugin does not bind client ids to users).
 */
public final class ClientIds {
  /** Separates the chosen id from the tag. */
  public static final char SEPARATOR = '~';

  private static final int TAG_BYTES = 6;

  private ClientIds() {}

  /** {@code clientId~tag}, the tag 12 hex digits of HMAC-SHA256(password, username). */
  public static String tagged(String clientId, BrokerLogin login) {
    byte[] mac =
        Secrets.derive(
            login.password().getBytes(StandardCharsets.UTF_8), "client-id:" + login.username());
    return clientId + SEPARATOR + HexFormat.of().formatHex(mac, 0, TAG_BYTES);
  }
}
