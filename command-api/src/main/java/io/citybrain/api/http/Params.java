package io.citybrain.api.http;

import io.citybrain.seeds.CitySeeds;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Typed access to a request the OpenAPI document has already validated (types, ranges, enums,
 * required fields), plus the checks the document cannot say: fields that go together, ranges that
 * must be ordered, and codes only the seeds know. Each failure is a 400 naming the field.
 */
public final class Params {
  private Params() {}

  /** A query parameter, null when absent or empty. */
  public static String query(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    return value == null || value.isEmpty() ? null : value;
  }

  public static int integer(RoutingContext ctx, String name, int defaultValue) {
    String raw = query(ctx, name);
    return raw == null ? defaultValue : Integer.parseInt(raw);
  }

  public static Boolean bool(RoutingContext ctx, String name) {
    String raw = query(ctx, name);
    return raw == null ? null : Boolean.parseBoolean(raw);
  }

  public static Instant instant(RoutingContext ctx, String name, Instant defaultValue) {
    String raw = query(ctx, name);
    if (raw == null) {
      return defaultValue;
    }
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException e) {
      // RFC 3339 allows a few spellings java.time does not read.
      throw ApiException.badRequest(name, BadRequests.ISO_INSTANT + ", was '" + raw + "'");
    }
  }

  /**
   * A string field of the body, or null for none, another type, or a body that is not JSON (never
   * throws: it serves the audit of refused requests).
   */
  public static String bodyString(RoutingContext ctx, String field) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      return body == null || !(body.getValue(field) instanceof String value) ? null : value;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The validated JSON body; an empty object when the operation's body is optional and absent. */
  public static JsonObject body(RoutingContext ctx) {
    JsonObject body = ctx.body().isEmpty() ? null : ctx.body().asJsonObject();
    return body == null ? new JsonObject() : body;
  }

  /** A number field, null when absent. */
  public static Double number(JsonObject body, String field) {
    Number value = (Number) body.getValue(field);
    return value == null ? null : value.doubleValue();
  }

  /** 400 unless {@code from} is before {@code to}. */
  public static void ordered(Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw ApiException.badRequest("from", "must be before to (" + to + "), was " + from);
    }
  }

  /** 400 when the range is longer than {@code max}. */
  public static void within(Instant from, Instant to, Duration max) {
    if (Duration.between(from, to).compareTo(max) > 0) {
      throw ApiException.badRequest(
          "from",
          "the range from "
              + from
              + " to "
              + to
              + " is longer than "
              + max.toDays()
              + " days; narrow it");
    }
  }

  /** 400 unless both or neither of a position's coordinates are given. */
  public static void together(Double lat, Double lon) {
    if ((lat == null) != (lon == null)) {
      throw ApiException.badRequest(lat == null ? "lat" : "lon", "lat and lon go together");
    }
  }

  /** The district code when the seeds know it (null stays null); 400 naming the field otherwise. */
  public static String district(CitySeeds seeds, String field, String code) {
    if (code != null && seeds.district(code).isEmpty()) {
      throw ApiException.badRequest(
          field,
          "unknown district '"
              + code
              + "' (known: "
              + String.join(", ", seeds.districtCodes())
              + ")");
    }
    return code;
  }
}
