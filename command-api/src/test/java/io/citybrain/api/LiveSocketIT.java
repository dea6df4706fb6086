package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.citybrain.api.http.Role;
import io.citybrain.api.live.LiveHandshake;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The live WebSocket against what a careless or hostile client sends: malformed messages get error
 * frames (and no stack trace in the log), subscriptions stop at the caller's scope, a user's
 * sockets are capped, and a socket closes when its token expires or is revoked.
 */
@ExtendWith(CityServicesExtension.class)
class LiveSocketIT {
  private static final Duration TOKEN_TTL = Duration.ofSeconds(6);
  private static final int CAP = 2;
  private static ApiFixture f;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f =
        ApiFixture.start(
            services,
            c ->
                c.tokenTtl(TOKEN_TTL)
                    .liveConnectionsPerUser(CAP)
                    .liveRevocationCheck(Duration.ofMillis(500)));
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  /** A fresh token: the fixture's expire within {@link #TOKEN_TTL}. */
  private static String login(String user) throws Exception {
    ApiClient.Reply reply =
        f.client.post(
            "/api/v1/auth/login",
            null,
            new JsonObject().put("username", user).put("password", ApiFixture.PASSWORD));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply.json().getString("token");
  }

  /** A socket that keeps its frames and how it closed. */
  private static final class Socket implements WebSocket.Listener {
    final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    WebSocket ws;

    static Socket open(String token) throws Exception {
      Socket s = new Socket();
      s.ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .header("Authorization", "Bearer " + token)
              .buildAsync(URI.create(f.api.url().replace("http", "ws") + "/api/v1/live"), s)
              .get(10, TimeUnit.SECONDS);
      return s;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      frames.add(new JsonObject(data.toString()));
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    void send(String text) throws Exception {
      ws.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    List<JsonObject> ofType(String type) {
      return frames.stream().filter(fr -> type.equals(fr.getString("type"))).toList();
    }

    void awaitFrames(String type, int count) {
      Awaitility.await(count + " " + type + " frames")
          .atMost(Duration.ofSeconds(10))
          .until(() -> ofType(type).size() >= count);
    }
  }

  @Test
  @DisplayName(
      "Malformed messages get an error frame each, no stack trace, and the socket works on")
  void malformedMessages() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    root.addAppender(log);
    try {
      Socket s = Socket.open(login("viewer"));
      List<String> bad =
          List.of(
              "not json",
              "[\"DP\"]",
              "42",
              "{\"subscribe\":\"DP\"}",
              "{\"subscribe\":[1,2]}",
              "{\"subscribe\":[{\"a\":1}]}",
              "{\"unsubscribe\":{}}",
              "{\"subscribe\":[\"" + "X".repeat(5000) + "\"]}",
              "{\"subscribe\":[" + "\"DP\",".repeat(500) + "\"DP\"]}",
              "{\"subscribe\":[\"ZZ\"]}",
              "{\"hello\":true}",
              "{\"" + "f".repeat(10_000) + "\":1}");
      for (String text : bad) {
        s.send(text);
      }
      s.ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(5, TimeUnit.SECONDS);
      s.awaitFrames("error", bad.size() + 1);
      assertThat(s.ofType("error"))
          .allSatisfy(e -> assertThat(e.getString("reason")).isNotBlank())
          .allSatisfy(
              e -> assertThat(e.encode()).as("no echo of a long input").hasSizeLessThan(300));
      s.send("{\"subscribe\":[\"DP\"]}");
      s.awaitFrames("subscribed", 1);
      assertThat(s.ofType("subscribed").get(0).getJsonArray("districts")).containsExactly("DP");
      assertThat(s.closed).isNotDone();
      s.ws.abort();
      assertThat(log.list)
          .as("no stack trace from what a client sent")
          .noneMatch(e -> e.getThrowableProxy() != null);
    } finally {
      root.detachAppender(log);
    }
  }

  @Test
  @DisplayName(
      "A scoped caller cannot subscribe outside its districts; its hello lists only its own")
  void subscriptionsStopAtScope() throws Exception {
    Socket s = Socket.open(login("coord-dp"));
    s.awaitFrames("hello", 1);
    assertThat(s.ofType("hello").get(0).getJsonArray("districts")).containsExactly("DP");
    s.send("{\"subscribe\":[\"NS\"]}");
    s.awaitFrames("error", 1);
    assertThat(s.ofType("error").get(0).getString("reason")).contains("NS").contains("scope");
    s.send("{\"subscribe\":[\"DP\",\"NS\"]}");
    s.awaitFrames("error", 2);
    assertThat(s.ofType("subscribed")).isEmpty();
    s.ws.abort();
  }

  @Test
  @DisplayName("A user's live connections are capped; the extra one is closed with a reason")
  void connectionsPerUserAreCapped() throws Exception {
    String token = login("coord-ns");
    Socket first = Socket.open(token);
    Socket second = Socket.open(token);
    first.awaitFrames("hello", 1);
    second.awaitFrames("hello", 1);
    Socket third = Socket.open(token);
    assertThat(third.closed.get(10, TimeUnit.SECONDS))
        .startsWith(LiveHandshake.TOO_MANY + " ")
        .contains("at most " + CAP);
    assertThat(third.ofType("hello")).isEmpty();
    // Another user is not affected, and a closed socket frees its place.
    Socket other = Socket.open(login("operator"));
    other.awaitFrames("hello", 1);
    first.ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Socket again = Socket.open(token);
              try {
                again.awaitFrames("hello", 1);
              } finally {
                again.ws.abort();
              }
            });
    second.ws.abort();
    other.ws.abort();
  }

  @Test
  @DisplayName("A socket closes when its token expires (4001), by header or by ticket")
  void socketClosesAtTokenExpiry() throws Exception {
    String token = login("viewer");
    long issued = System.nanoTime();
    Socket s = Socket.open(token);
    s.awaitFrames("hello", 1);
    ApiClient.Reply ticket = f.client.post("/api/v1/live/tickets", token, null);
    assertThat(ticket.status()).isEqualTo(201);
    Socket t = new Socket();
    t.ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(
                    f.api.url().replace("http", "ws")
                        + "/api/v1/live?ticket="
                        + ticket.json().getString("ticket")),
                t)
            .get(10, TimeUnit.SECONDS);
    t.awaitFrames("hello", 1);
    for (Socket socket : List.of(s, t)) {
      assertThat(socket.closed.get(TOKEN_TTL.toSeconds() + 10, TimeUnit.SECONDS))
          .startsWith(LiveHandshake.TOKEN_EXPIRED + " ")
          .contains("expired");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - issued))
        .isGreaterThanOrEqualTo(TOKEN_TTL.minusSeconds(2));
  }

  @Test
  @DisplayName(
      "A password change closes the user's open sockets at once (4001, revoked); others stay open")
  void revocationClosesTheUsersSockets() throws Exception {
    f.api.createUser("live-rev", ApiFixture.PASSWORD, Role.VIEWER, Set.of());
    // Users of their own: the other tests' sockets count against their users' cap.
    f.api.createUser("live-stay", ApiFixture.PASSWORD, Role.VIEWER, Set.of());
    String token = login("live-rev");
    Socket revoked = Socket.open(token);
    ApiClient.Reply ticket = f.client.post("/api/v1/live/tickets", token, null);
    assertThat(ticket.status()).isEqualTo(201);
    Socket other = Socket.open(login("live-stay"));
    revoked.awaitFrames("hello", 1);
    other.awaitFrames("hello", 1);
    long patched = System.nanoTime();
    ApiClient.Reply patch =
        f.client.send(
            "PATCH",
            "/api/v1/users/live-rev",
            f.token("admin"),
            new JsonObject().put("password", "another-horse-battery").encode());
    assertThat(patch.status()).as(patch.text()).isEqualTo(200);
    // Long before the token would expire (TOKEN_TTL).
    assertThat(revoked.closed.get(3, TimeUnit.SECONDS))
        .startsWith(LiveHandshake.TOKEN_REVOKED + " ")
        .contains("revoked");
    assertThat(Duration.ofNanos(System.nanoTime() - patched)).isLessThan(TOKEN_TTL);
    // A ticket issued for the revoked token no longer opens a socket.
    Socket late = new Socket();
    CompletableFuture<WebSocket> upgrade =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(
                    f.api.url().replace("http", "ws")
                        + "/api/v1/live?ticket="
                        + ticket.json().getString("ticket")),
                late);
    assertThatThrownBy(() -> upgrade.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
    other.send("{\"subscribe\":[\"DP\"]}");
    other.awaitFrames("subscribed", 1);
    assertThat(other.closed).isNotDone();
    other.ws.abort();
  }

  @Test
  @DisplayName(
      "A change made through another API instance closes the socket at the next periodic check")
  void revocationElsewhereIsCaughtByTheCheck() throws Exception {
    f.api.createUser("live-far", ApiFixture.PASSWORD, Role.VIEWER, Set.of());
    f.api.createUser("live-near", ApiFixture.PASSWORD, Role.VIEWER, Set.of());
    Socket revoked = Socket.open(login("live-far"));
    Socket other = Socket.open(login("live-near"));
    revoked.awaitFrames("hello", 1);
    other.awaitFrames("hello", 1);
    // What a PATCH through another instance leaves in the shared database; this one hears nothing.
    TestData.exec(
        f.services.dataSource(),
        "UPDATE api_user SET token_version = token_version + 1 WHERE username = 'live-far'");
    assertThat(revoked.closed.get(5, TimeUnit.SECONDS))
        .startsWith(LiveHandshake.TOKEN_REVOKED + " ")
        .contains("revoked");
    Thread.sleep(1500);
    assertThat(other.closed).as("three checks later").isNotDone();
    other.ws.abort();
  }
}
