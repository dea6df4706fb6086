package io.citybrain.app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP receiver for the API's webhooks on 127.0.0.1: it records every delivery with whether
 * its signature verifies, checked here from the documented scheme (HMAC-SHA256 of "timestamp.body"
 * with the subscription's secret), not with the API's own code.
 */
final class WebhookReceiver implements AutoCloseable {
  /** One request as it arrived. */
  record Received(long eventId, String type, String body, boolean signed) {}

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile String secret;

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          byte[] body;
          try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
          }
          var h = exchange.getRequestHeaders();
          String timestamp = h.getFirst("X-CityBrain-Timestamp");
          received.add(
              new Received(
                  Long.parseLong(h.getFirst("X-CityBrain-Event-Id")),
                  h.getFirst("X-CityBrain-Event"),
                  new String(body, StandardCharsets.UTF_8),
                  secret != null
                      && timestamp != null
                      && ("sha256="
                              + hmac(
                                  secret,
                                  timestamp + "." + new String(body, StandardCharsets.UTF_8)))
                          .equals(h.getFirst("X-CityBrain-Signature"))));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** The subscription's secret, once the API has shown it. */
  void secret(String value) {
    secret = value;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  private static String hmac(String key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
