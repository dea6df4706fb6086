package io.citybrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.api.CommandApi;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The command API as a script calls it: JSON in and out, each reply's status checked. */
record ApiScript(String baseUrl) {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** A token for the user. */
  String login(CommandApi.DemoUser user) throws Exception {
    return login(user.username(), user.password());
  }

  String login(String username, String password) throws Exception {
    return send(
            "POST",
            "/api/v1/auth/login",
            null,
            new JsonObject().put("username", username).put("password", password),
            200)
        .getString("token");
  }

  /** The reply's JSON, after checking its status is {@code expected}. */
  JsonObject send(String method, String path, String token, JsonObject body, int expected)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    request.header("Content-Type", "application/json");
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as(method + " " + path + ": " + response.body())
        .isEqualTo(expected);
    return new JsonObject(response.body());
  }
}
