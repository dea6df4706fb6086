package io.citybrain.api.notify;

import io.citybrain.api.http.ApiException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where webhooks may go: absolute http(s) URLs whose host resolves to public addresses only, so a
 * subscription cannot make the API call the machine it runs on, its cloud's metadata service or the
 * private network behind it (server-side request forgery). Hosts on the configured allow-list are
 * exempt. Checked at creation and again before every attempt (the name may resolve elsewhere by
 * then); the attempt connects to the address checked, not to a second lookup. Blocking (DNS).
 */
public final class UrlPolicy {
  private final WebhookSettings settings;

  public UrlPolicy(WebhookSettings settings) {
    this.settings = settings;
  }

  /** The URL a subscription names, or 400 naming what is wrong with it. */
  public URI checked(String url) {
    URI uri = parsed(url);
    try {
      target(uri);
    } catch (Refused e) {
      throw ApiException.badRequest("url", e.getMessage());
    }
    return uri;
  }

  /** A syntactically acceptable URL, or 400. */
  static URI parsed(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ApiException.badRequest("url", "is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !("http".equals(scheme) || "https".equals(scheme))) {
      throw ApiException.badRequest(
          "url", "must be an absolute http:// or https:// URL, was '" + url + "'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw ApiException.badRequest("url", "must name a host, was '" + url + "'");
    }
    if (uri.getRawUserInfo() != null) {
      throw ApiException.badRequest("url", "must not carry a user name or password");
    }
    if (uri.getRawFragment() != null) {
      throw ApiException.badRequest("url", "must not have a fragment (#...)");
    }
    return uri;
  }

  /**
   * The address an attempt connects to: the host's first address, when every address it resolves to
   * is public (or the host is allowed).
   */
  public InetAddress target(URI uri) throws Refused {
    String host = WebhookSettings.bare(uri.getHost());
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new Refused("host '" + host + "' does not resolve");
    }
    if (!settings.allows(host)) {
      for (InetAddress address : addresses) {
        if (!isPublic(address)) {
          throw new Refused(
              "host '"
                  + host
                  + "' is "
                  + address.getHostAddress()
                  + ", a loopback, link-local or private address; webhooks go to public"
                  + " addresses unless the host is allowed (--webhook-allow-hosts)");
        }
      }
    }
    return addresses[0];
  }

  /** Not this machine, its link, a private or shared network, multicast or reserved space. */
  static boolean isPublic(InetAddress address) {
    if (address.isAnyLocalAddress()
        || address.isLoopbackAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isMulticastAddress()) {
      return false;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first != 0 // "this network"
          && !(first == 100 && (second & 0xc0) == 64) // 100.64.0.0/10, carrier-grade NAT
          && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24, IETF
          && !(first == 198 && (second & 0xfe) == 18) // 198.18.0.0/15, benchmarking
          && first < 240; // reserved, broadcast
    }
    // fc00::/7 (unique local); an IPv4 address inside IPv6 (::a.b.c.d, the NAT64 prefix
    // 64:ff9b::/96) is judged as that IPv4 address.
    if ((b[0] & 0xfe) == 0xfc) {
      return false;
    }
    boolean compatible = true;
    for (int i = 0; i < 12; i++) {
      compatible &= b[i] == 0;
    }
    boolean nat64 =
        b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    if (compatible || nat64) {
      try {
        return isPublic(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return true;
  }

  /** An attempt refused before it is sent. */
  public static final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }
}
