package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A plain HTTP client for the API's tests that checks every response against the OpenAPI document
 * the API serves: the route must be in the document and the status, content type and body must
 * match its schema.
 */
final class ApiClient implements AutoCloseable {
  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Vertx vertx = Vertx.vertx();
  private final OpenAPIContract contract;
  private final ResponseValidator validator;

  /** "operationId status" of every response checked so far. */
  final Set<String> covered = ConcurrentHashMap.newKeySet();

  ApiClient(String base) throws Exception {
    this.base = base;
    String json =
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/openapi.json")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    this.contract = await(OpenAPIContract.from(vertx, new JsonObject(json)));
    this.validator = ResponseValidator.create(vertx, contract);
  }

  OpenAPIContract contract() {
    return contract;
  }

  /** A response: status, body as text, and the body as JSON when it is JSON. */
  record Reply(int status, String text, String contentType) {
    JsonObject json() {
      return new JsonObject(text);
    }

    JsonArray items() {
      return json().getJsonArray("items");
    }
  }

  Reply get(String path, String token) throws Exception {
    return send("GET", path, token, null);
  }

  Reply post(String path, String token, Object body) throws Exception {
    return send(
        "POST",
        path,
        token,
        body == null ? null : body instanceof JsonObject j ? j.encode() : body.toString());
  }

  Reply send(String method, String path, String token, String body) throws Exception {
    Reply reply = sendUnchecked(method, path, token, body);
    validate(method, path, reply);
    return reply;
  }

  /** Without the contract check: for routes the document does not have. */
  Reply sendUnchecked(String method, String path, String token, String body) throws Exception {
    HttpResponse<String> response = sendRaw(method, path, token, body);
    String contentType = response.headers().firstValue("content-type").orElse(null);
    if (contentType != null && contentType.startsWith("text/plain")) {
      // Prometheus adds "version=0.0.4" to text/plain; the validator knows text/plain only by its
      // bare name.
      contentType = "text/plain";
    }
    return new Reply(response.statusCode(), response.body(), contentType);
  }

  /** The plain response, headers included, unchecked. */
  HttpResponse<String> sendRaw(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("content-type", "application/json");
    }
    if (token != null) {
      request.header("authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Fails unless the response is what the document says this route answers. */
  private void validate(String method, String path, Reply reply) throws Exception {
    String plain = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    Operation operation = contract.findOperation(plain, HttpMethod.valueOf(method));
    assertThat(operation).as("%s %s is in the OpenAPI document", method, plain).isNotNull();
    assertThat(operation.getResponse(reply.status()))
        .as("%s %s may answer %d (body %s)", method, plain, reply.status(), reply.text())
        .isNotNull();
    if (reply.contentType() != null && !reply.contentType().startsWith("application/json")) {
      // The validator checks JSON bodies only (it refuses a text/plain Buffer); for text, the
      // declared type must match.
      assertThat(operation.getResponse(reply.status()).getContent())
          .as("%s %s content types", method, plain)
          .containsKey(reply.contentType());
    } else {
      Map<String, String> headers = new HashMap<>();
      if (reply.contentType() != null) {
        headers.put("content-type", reply.contentType());
      }
      ValidatableResponse response =
          reply.text().isEmpty()
              ? ValidatableResponse.create(reply.status(), headers)
              : ValidatableResponse.create(
                  reply.status(), headers, Buffer.buffer(reply.text()), reply.contentType());
      try {
        await(validator.validate(response, operation.getOperationId()));
      } catch (Exception e) {
        throw new AssertionError(
            method
                + " "
                + path
                + " -> "
                + reply.status()
                + " breaks the OpenAPI document: "
                + e.getMessage()
                + "\nbody: "
                + abbreviate(reply.text()),
            e);
      }
    }
    covered.add(operation.getOperationId() + " " + reply.status());
  }

  private static String abbreviate(String text) {
    return text.length() > 2000 ? text.substring(0, 2000) + "..." : text;
  }

  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  @Override
  public void close() {
    vertx.close();
  }
}
