package io.citybrain.api.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.api.http.ApiException;
import java.net.InetAddress;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Where webhooks may go; IP literals only, so no name is looked up. */
class UrlPolicyTest {
  private static final UrlPolicy STRICT = new UrlPolicy(WebhookSettings.DEFAULT);

  @Test
  @DisplayName("loopback, link-local, private, shared and reserved addresses are not public")
  void notPublic() throws Exception {
    for (String address :
        new String[] {
          "127.0.0.1",
          "127.8.9.10",
          "0.0.0.0",
          "10.1.2.3",
          "172.16.0.1",
          "172.31.255.255",
          "192.168.1.1",
          "169.254.169.254",
          "100.64.0.1",
          "198.18.0.1",
          "224.0.0.1",
          "255.255.255.255",
          "::1",
          "::",
          "fe80::1",
          "fd00::1",
          "fc00::2",
          "::ffff:127.0.0.1",
          "::127.0.0.1",
          "64:ff9b::a00:1"
        }) {
      assertThat(UrlPolicy.isPublic(InetAddress.getByName(address))).as(address).isFalse();
    }
    for (String address : new String[] {"8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:db8::1"}) {
      assertThat(UrlPolicy.isPublic(InetAddress.getByName(address))).as(address).isTrue();
    }
  }

  @Test
  @DisplayName("a URL must be absolute http(s) with a host, no credentials, no fragment")
  void syntax() {
    assertThat(reason("ftp://8.8.8.8/x"))
        .isEqualTo("must be an absolute http:// or https:// URL, was 'ftp://8.8.8.8/x'");
    assertThat(reason("/relative")).startsWith("must be an absolute http:// or https:// URL");
    assertThat(reason("http://user:pw@8.8.8.8/"))
        .isEqualTo("must not carry a user name or password");
    assertThat(reason("http://8.8.8.8/#x")).isEqualTo("must not have a fragment (#...)");
    assertThat(reason("http:// bad")).startsWith("is not a URL");
  }

  @Test
  @DisplayName("a private host is refused with the reason, unless the configuration allows it")
  void allowList() throws Exception {
    assertThat(reason("http://169.254.169.254/latest/meta-data"))
        .isEqualTo(
            "host '169.254.169.254' is 169.254.169.254, a loopback, link-local or private address;"
                + " webhooks go to public addresses unless the host is allowed"
                + " (--webhook-allow-hosts)");
    assertThat(reason("http://[::1]:8080/")).contains("host '::1' is 0:0:0:0:0:0:0:1");
    UrlPolicy allowing =
        new UrlPolicy(WebhookSettings.DEFAULT.withAllowHosts(Set.of("127.0.0.1", "[::1]")));
    assertThat(allowing.checked("http://127.0.0.1:9/hook").getPort()).isEqualTo(9);
    assertThat(allowing.target(URI.create("http://[::1]:9/")).isLoopbackAddress()).isTrue();
    assertThatThrownBy(() -> allowing.target(URI.create("http://127.0.0.2/")))
        .isInstanceOf(UrlPolicy.Refused.class);
  }

  private static String reason(String url) {
    try {
      STRICT.checked(url);
      throw new AssertionError(url + " was accepted");
    } catch (ApiException e) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.body().getString("field")).isEqualTo("url");
      return e.body().getString("reason");
    }
  }
}
