package io.citybrain.app;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP literals as the demo's bind address: parsed without a name lookup. */
final class InetAddresses {
  private InetAddresses() {}

  /** True for an IPv4 or IPv6 literal; a name is not one (it could resolve to anything). */
  static boolean isLiteral(String value) {
    return parse(value) != null;
  }

  static boolean isLoopback(String value) {
    InetAddress address = parse(value);
    return address != null && address.isLoopbackAddress();
  }

  static boolean isWildcard(String value) {
    InetAddress address = parse(value);
    return address != null && address.isAnyLocalAddress();
  }

  private static InetAddress parse(String value) {
    // Only dotted digits or hex with colons reach getByName, so it parses and never looks up.
    if (value == null
        || !(value.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")
            || value.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*"))) {
      return null;
    }
    try {
      return InetAddress.getByName(value);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
