package io.citybrain.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A WebSocket client of the live endpoint that reads every frame and keeps them in arrival order.
 */
final class LiveClient implements WebSocket.Listener, AutoCloseable {
  final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private final WebSocket socket;

  LiveClient(String apiUrl, String token, String... districts) throws Exception {
    socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .buildAsync(URI.create(apiUrl.replace("http", "ws") + "/api/v1/live"), this)
            .get(10, TimeUnit.SECONDS);
    socket
        .sendText(
            new JsonObject().put("subscribe", new JsonArray(List.of(districts))).encode(), true)
        .get(10, TimeUnit.SECONDS);
    await(f -> "subscribed".equals(f.getString("type")), 10_000);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(new JsonObject(partial.toString()));
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  /** Waits until a frame matches; fails after the timeout. */
  JsonObject await(Predicate<JsonObject> match, long timeoutMs) {
    return Awaitility.await("a matching live frame")
        .atMost(Duration.ofMillis(timeoutMs))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> frames.stream().filter(match).findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  List<JsonObject> ofType(String type) {
    return frames.stream().filter(f -> type.equals(f.getString("type"))).toList();
  }

  @Override
  public void close() {
    socket.abort();
  }
}
