package io.citybrain.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The document's validator refuses what the hand checks refused, and the refusal reads as before:
 * the field at fault and the reason in the API's words (the real validator, no server).
 */
class BadRequestsTest {
  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static RequestValidator validator;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    contract = ApiDocument.bundled().contract(vertx).await(30, TimeUnit.SECONDS);
    validator = RequestValidator.create(vertx, contract);
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  @DisplayName("a query parameter out of its range, type or list is named with what it must be")
  void queryParameters() {
    assertThat(query("listDevices", "limit", "0"))
        .isEqualTo(refusal("limit", "must be within 1..1000, was 0"));
    assertThat(query("listDevices", "limit", "abc"))
        .isEqualTo(refusal("limit", "must be an integer, was 'abc'"));
    assertThat(query("listDevices", "online", "maybe"))
        .isEqualTo(refusal("online", "must be true or false, was 'maybe'"));
    assertThat(query("listDevices", "offset", "-1"))
        .isEqualTo(refusal("offset", "must be within 0..10000, was -1"));
    assertThat(query("listDevices", "offset", "10001"))
        .isEqualTo(refusal("offset", "must be within 0..10000, was 10001"));
    assertThat(query("listAlerts", "state", "open"))
        .isEqualTo(refusal("state", "must be one of raised, cleared, was 'open'"));
    assertThat(query("getCaseStats", "from", "yesterday").getString("reason"))
        .isEqualTo("must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, was 'yesterday'");
  }

  @Test
  @DisplayName("a body's missing, mistyped or out-of-range property is named; no JSON is the body")
  void bodies() {
    assertThat(body("login", new JsonObject().put("username", "viewer")))
        .isEqualTo(refusal("password", "is required"));
    assertThat(body("login", "not json")).isEqualTo(refusal("body", "must be a JSON object"));
    assertThat(body("login", "[1]")).isEqualTo(refusal("body", "must be a JSON object"));
    assertThat(body("login", null)).isEqualTo(refusal("body", "a JSON object is required"));
    JsonObject user =
        new JsonObject()
            .put("username", "newbie")
            .put("password", "a-long-enough-secret")
            .put("role", "admin");
    assertThat(body("createUser", user.copy().put("role", "king")))
        .isEqualTo(
            refusal("role", "must be one of viewer, operator, coordinator, admin, was 'king'"));
    assertThat(body("createUser", user.copy().put("password", "short")))
        .isEqualTo(refusal("password", "must be at least 12 characters"));
    assertThat(body("createUser", user.copy().put("districts", "DP")))
        .isEqualTo(refusal("districts", "must be an array"));
    assertThat(body("createUser", user.copy().put("districts", new JsonArray().add(7))))
        .isEqualTo(refusal("districts", "0 must be a string"));
    assertThat(body("createUser", user.copy().put("username", "Not Valid")).getString("field"))
        .isEqualTo("username");
    assertThat(body("transitionCase", new JsonObject().put("to", "flying")).getString("field"))
        .isEqualTo("to");
    assertThat(
            body(
                "triggerResponse",
                new JsonObject().put("request_id", "r").put("district", "DP").put("lat", 100)))
        .isEqualTo(refusal("lat", "must be within -90..90, was 100"));
    assertThat(body("triggerResponse", new JsonObject().put("request_id", "  ")))
        .isEqualTo(refusal("request_id", "must not be blank"));
    assertThat(body("triggerResponse", new JsonObject().put("plan_id", "x")))
        .isEqualTo(refusal("request_id", "is required"));
    assertThat(
            body(
                "reportCase",
                new JsonObject()
                    .put("district", "DP")
                    .put("subtype", "pothole")
                    .put("description", "x".repeat(2001))))
        .isEqualTo(refusal("description", "must be at most 2000 characters, was 2001"));
  }

  @Test
  @DisplayName("optional fields may be null, as they always could")
  void nullsAreAbsent() {
    assertThat(
            valid(
                "triggerResponse",
                new JsonObject()
                    .put("request_id", "r")
                    .putNull("plan_id")
                    .put("district", "DP")
                    .putNull("lat")
                    .putNull("lon")))
        .isTrue();
  }

  private static JsonObject refusal(String field, String reason) {
    return new JsonObject().put("error", "bad_request").put("field", field).put("reason", reason);
  }

  private static JsonObject query(String operationId, String name, String value) {
    Map<String, RequestParameter> query = new HashMap<>();
    query.put(name, new RequestParameterImpl(value));
    ValidatorException refusal =
        refusalOf(operationId, new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), query));
    return BadRequests.of(
            operation(operationId),
            contract.getRawContract(),
            refusal,
            p -> query.containsKey(p.getName()) ? value : null,
            null)
        .body();
  }

  private static JsonObject body(String operationId, Object body) {
    String text = body == null ? null : body instanceof JsonObject j ? j.encode() : body.toString();
    ValidatorException refusal = refusalOf(operationId, request(text));
    Object parsed;
    try {
      parsed = text == null ? null : Json.decodeValue(text);
    } catch (RuntimeException e) {
      parsed = null;
    }
    return BadRequests.of(
            operation(operationId), contract.getRawContract(), refusal, p -> null, parsed)
        .body();
  }

  private static boolean valid(String operationId, JsonObject body) {
    try {
      validator.validate(request(body.encode()), operationId).await(30, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static ValidatableRequestImpl request(String body) {
    // The path parameters of the operations under test; each takes its own.
    Map<String, RequestParameter> path =
        Map.of(
            "caseId", new RequestParameterImpl("gc-1"), "runId", new RequestParameterImpl("run-1"));
    return new ValidatableRequestImpl(
        Map.of(),
        Map.of(),
        path,
        Map.of(),
        body == null ? null : new RequestParameterImpl(Buffer.buffer(body)),
        body == null ? null : "application/json");
  }

  private static ValidatorException refusalOf(String operationId, ValidatableRequestImpl request) {
    try {
      validator.validate(request, operationId).await(30, TimeUnit.SECONDS);
    } catch (ValidatorException e) {
      return e;
    } catch (Exception e) {
      if (e.getCause() instanceof ValidatorException v) {
        return v;
      }
      throw new AssertionError(e);
    }
    throw new AssertionError(operationId + " accepted the request");
  }

  private static Operation operation(String operationId) {
    return contract.operation(operationId);
  }
}
