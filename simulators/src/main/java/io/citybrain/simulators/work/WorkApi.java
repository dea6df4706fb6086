package io.citybrain.simulators.work;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The command API as a simulated person uses it: signed in with a username and password, a GET or a
 * POST answered with its status and JSON body, signed in again when the token has expired.
 */
final class WorkApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final String baseUrl;
  private final String username;
  private final String password;
  private volatile String token;

  WorkApi(String baseUrl, String username, String password) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.username = username;
    this.password = password;
  }

  String username() {
    return username;
  }

  /** A reply: its status and its body (an empty object when there is none). */
  record Reply(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send(path, null);
  }

  Reply post(String path, ObjectNode body) throws IOException, InterruptedException {
    return send(path, body);
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  private Reply send(String path, ObjectNode body) throws IOException, InterruptedException {
    if (token == null) {
      login();
    }
    Reply reply = exchange(path, body, token);
    if (reply.status() == 401) {
      // Tokens expire; a person signs in again.
      login();
      reply = exchange(path, body, token);
    }
    return reply;
  }

  private void login() throws IOException, InterruptedException {
    ObjectNode credentials = object().put("username", username).put("password", password);
    Reply reply = exchange("/api/v1/auth/login", credentials, null);
    if (!reply.ok()) {
      throw new IOException(
          "cannot sign in as " + username + ": HTTP " + reply.status() + " " + reply.body());
    }
    token = reply.body().path("token").asText();
  }

  private Reply exchange(String path, ObjectNode body, String bearer)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT);
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    if (body == null) {
      request.GET();
    } else {
      request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    String text = response.body();
    JsonNode json = text == null || text.isBlank() ? object() : JSON.readTree(text);
    return new Reply(response.statusCode(), json);
  }
}
