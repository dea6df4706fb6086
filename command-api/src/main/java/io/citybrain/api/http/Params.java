package io.citybrain.api.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Reads query parameters and JSON body fields, failing with 400 naming the field and the reason.
 */
public final class Params {
  private Params() {}

  public static String query(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    return value == null || value.isEmpty() ? null : value;
  }

  public static int intQuery(RoutingContext ctx, String name, int defaultValue, int min, int max) {
    String raw = query(ctx, name);
    if (raw == null) {
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value < min || value > max) {
        throw ApiException.badRequest(
            name, "must be within " + min + ".." + max + ", was " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name, "must be an integer, was '" + raw + "'");
    }
  }

  public static String oneOf(
      RoutingContext ctx, String name, Set<String> allowed, String defaultValue) {
    String raw = query(ctx, name);
    if (raw == null) {
      return defaultValue;
    }
    if (!allowed.contains(raw)) {
      throw ApiException.badRequest(
          name,
          "must be one of "
              + String.join(", ", allowed.stream().sorted().toList())
              + ", was '"
              + raw
              + "'");
    }
    return raw;
  }

  public static Boolean boolQuery(RoutingContext ctx, String name) {
    String raw = query(ctx, name);
    if (raw == null) {
      return null;
    }
    if (!raw.equals("true") && !raw.equals("false")) {
      throw ApiException.badRequest(name, "must be true or false, was '" + raw + "'");
    }
    return Boolean.parseBoolean(raw);
  }

  public static Instant instantQuery(RoutingContext ctx, String name, Instant defaultValue) {
    String raw = query(ctx, name);
    if (raw == null) {
      return defaultValue;
    }
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          name, "must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, was '" + raw + "'");
    }
  }

  /** The request's JSON object body; 400 on a missing or malformed body. */
  public static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw ApiException.badRequest("body", "a JSON object is required");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      throw ApiException.badRequest("body", "must be a JSON object");
    }
  }

  public static String requiredString(JsonObject body, String field, int maxLength) {
    String value = optionalString(body, field, maxLength);
    if (value == null) {
      throw ApiException.badRequest(field, "is required");
    }
    return value;
  }

  public static String optionalString(JsonObject body, String field, int maxLength) {
    Object raw = body.getValue(field);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof String value)) {
      throw ApiException.badRequest(field, "must be a string");
    }
    if (value.isBlank()) {
      throw ApiException.badRequest(field, "must not be blank");
    }
    if (value.length() > maxLength) {
      throw ApiException.badRequest(
          field, "must be at most " + maxLength + " characters, was " + value.length());
    }
    return value;
  }

  public static Double optionalNumber(JsonObject body, String field, double min, double max) {
    Object raw = body.getValue(field);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof Number number)) {
      throw ApiException.badRequest(field, "must be a number");
    }
    double value = number.doubleValue();
    if (!(value >= min && value <= max)) {
      throw ApiException.badRequest(field, "must be within " + min + ".." + max + ", was " + value);
    }
    return value;
  }
}
