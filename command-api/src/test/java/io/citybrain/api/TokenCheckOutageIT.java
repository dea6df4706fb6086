package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A token whose revocation cannot be checked because the database refuses the API (its backends
 * terminated, new connections refused) is answered 503 with Retry-After, on HTTP and on the
 * WebSocket upgrade, and is not audited as anyone's authentication failure; a login then is 503
 * too, not a wrong password.
 */
@ExtendWith(CityServicesExtension.class)
class TokenCheckOutageIT {
  private static ApiFixture f;

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, c -> {});
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  @DisplayName(
      "Database unreachable: a good token gets 503 with Retry-After (HTTP and WebSocket), not 401")
  void unreachableDatabaseIsServiceUnavailable(TestServices services) throws Exception {
    String token = f.token("viewer");
    assertThat(f.client.get("/api/v1/districts", token).status()).isEqualTo(200);
    String db = services.databaseName();
    // The same server as the API's, its maintenance database: this class's own database is shut.
    String admin = services.jdbcUrl().replaceFirst("/" + db + "(\\?|$)", "/postgres$1");
    HttpClient http = HttpClient.newHttpClient();
    try (Connection c = DriverManager.getConnection(admin);
        Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS false");
      try {
        s.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
        // Past the pool's 500 ms in which a recently used connection is lent without a check: every
        // request below finds the pool empty and waits its connection timeout, none fails early.
        Thread.sleep(1000);
        CompletableFuture<HttpResponse<String>> read =
            http.sendAsync(
                request("/api/v1/districts", token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> ticket =
            http.sendAsync(
                request("/api/v1/live/tickets", token)
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> login =
            http.sendAsync(
                HttpRequest.newBuilder(URI.create(f.api.url() + "/api/v1/auth/login"))
                    .timeout(Duration.ofSeconds(90))
                    .header("content-type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            new JsonObject()
                                .put("username", "viewer")
                                .put("password", ApiFixture.PASSWORD)
                                .encode()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<WebSocket> upgrade =
            http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(
                    URI.create(f.api.url().replace("http", "ws") + "/api/v1/live"),
                    new WebSocket.Listener() {});
        // The pool waits its connection timeout (3 s) before it gives up.
        HttpResponse<String> reply = read.get(90, TimeUnit.SECONDS);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(503);
        assertThat(reply.headers().firstValue("retry-after")).contains("5");
        assertThat(reply.body()).contains("unavailable").contains("retry");
        try {
          upgrade.get(90, TimeUnit.SECONDS).abort();
          throw new AssertionError("the upgrade was accepted with the database unreachable");
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
          assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
              .isEqualTo(503);
        }
        // A refused change is answered as soon as the check fails, not after its audit row.
        HttpResponse<String> refused = ticket.get(10, TimeUnit.SECONDS);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("retry-after")).contains("5");
        // A login whose password cannot be looked up is no wrong password either.
        HttpResponse<String> noLogin = login.get(90, TimeUnit.SECONDS);
        assertThat(noLogin.statusCode()).as(noLogin.body()).isEqualTo(503);
        assertThat(noLogin.headers().firstValue("retry-after")).contains("5");
        assertThat(noLogin.body()).contains("unavailable");
      } finally {
        s.execute("ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS true");
      }
    }
    // Back: the same token serves again.
    Awaitility.await("the token serves again")
        .atMost(Duration.ofSeconds(60))
        // Unchecked: until the pool has its connections back, the token check may still be 503.
        .until(
            () -> f.client.sendUnchecked("GET", "/api/v1/districts", token, null).status() == 200);
    // The refusal's audit row was waiting for a connection; it got one when the database returned.
    Awaitility.await("the refusal audited as unavailable")
        .atMost(Duration.ofSeconds(40))
        .until(
            () ->
                TestData.count(
                        services.dataSource(),
                        "SELECT count(*) FROM audit_log WHERE action = 'create_live_ticket'"
                            + " AND outcome = 'unavailable' AND actor = 'anonymous'")
                    == 1);
    Awaitility.await("the login audited as unavailable")
        .atMost(Duration.ofSeconds(40))
        .until(
            () ->
                TestData.count(
                        services.dataSource(),
                        "SELECT count(*) FROM audit_log WHERE action = 'login'"
                            + " AND outcome = 'unavailable' AND actor = 'viewer'")
                    == 1);
    assertThat(
            TestData.count(
                services.dataSource(),
                "SELECT count(*) FROM audit_log WHERE outcome = 'unauthenticated'"))
        .isZero();
  }

  private static HttpRequest.Builder request(String path, String token) {
    return HttpRequest.newBuilder(URI.create(f.api.url() + path))
        .timeout(Duration.ofSeconds(90))
        .header("authorization", "Bearer " + token);
  }
}
