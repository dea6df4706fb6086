package io.citybrain.api.http;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The OpenAPI validator's refusal as this API's 400: the field at fault (a parameter, a body
 * property, or {@code body}) and a reason worded from the document's schema for that field and the
 * value sent ({@code must be within 1..1000, was 0}), so clients read the same words as before the
 * document did the checking.
 */
public final class BadRequests {
  /** The pattern the document gives a text that must not be blank. */
  static final String NOT_BLANK = "\\S";

  static final String ISO_INSTANT = "must be an ISO-8601 instant such as 2026-01-01T00:00:00Z";

  /** Keywords that judge a value themselves (the others only say that a sub-schema failed). */
  private static final Set<String> LEAVES =
      Set.of(
          "required",
          "type",
          "enum",
          "const",
          "minimum",
          "maximum",
          "exclusiveMinimum",
          "exclusiveMaximum",
          "minLength",
          "maxLength",
          "pattern",
          "format",
          "minItems",
          "maxItems");

  private BadRequests() {}

  /**
   * A failure handler for one operation's route: a validation failure becomes an {@link
   * ApiException}, which the handlers after this one (audit) and the router's failure handler see;
   * any other failure passes on as it is.
   */
  public static Handler<RoutingContext> translating(Operation operation, JsonObject document) {
    return ctx -> {
      if (ctx.failure() instanceof HttpException h
          && h.getCause() instanceof ValidatorException refusal) {
        ctx.fail(of(operation, document, refusal, p -> raw(ctx, p), body(ctx)));
      } else {
        ctx.next();
      }
    };
  }

  /**
   * The 400 for a refusal of {@code operation}'s validator.
   *
   * @param document the contract as JSON, where the schemas' {@code $ref}s point
   * @param rawParameter the value a parameter was sent with, as text (null when absent)
   * @param body the request body as parsed JSON, or null
   */
  static ApiException of(
      Operation operation,
      JsonObject document,
      ValidatorException refusal,
      Function<Parameter, String> rawParameter,
      Object body) {
    for (Parameter parameter : operation.getParameters()) {
      if (names(refusal, parameter)) {
        String raw = rawParameter.apply(parameter);
        String keyword =
            refusal instanceof SchemaValidationException s ? leaf(s.getOutputUnit()).keyword : null;
        return ApiException.badRequest(
            parameter.getName(),
            raw == null
                ? "is required"
                : reason(resolve(json(parameter.getSchema()), document), keyword, raw, true));
      }
    }
    if (!(refusal instanceof SchemaValidationException invalid)) {
      // Not JSON, no body, or not declared as JSON: nothing of it can be read.
      return ApiException.badRequest(
          "body",
          switch (refusal.type()) {
            case MISSING_REQUIRED_PARAMETER -> "a JSON object is required";
            case UNSUPPORTED_VALUE_FORMAT ->
                "must be a JSON object (content-type: application/json)";
            default -> "must be a JSON object";
          });
    }
    return bodyField(bodySchema(operation), document, leaf(invalid.getOutputUnit()), body);
  }

  private static ApiException bodyField(
      JsonObject schema, JsonObject document, Leaf leaf, Object body) {
    List<String> path = tokens(leaf.instanceLocation);
    // The keyword's own schema: the path to it minus the keyword itself, through any $ref.
    List<String> schemaPath = tokens(leaf.keywordLocation);
    Object node = schema;
    for (String step : schemaPath.subList(0, Math.max(0, schemaPath.size() - 1))) {
      node =
          step.equals("$ref") && node instanceof JsonObject o
              ? resolve(o, document)
              : at(node, step);
    }
    JsonObject own = node instanceof JsonObject o ? o : new JsonObject();
    if (path.isEmpty() && leaf.keyword.equals("required")) {
      JsonObject object = body instanceof JsonObject o ? o : new JsonObject();
      String missing =
          own.getJsonArray("required", new JsonArray()).stream()
              .map(String::valueOf)
              .filter(name -> !object.containsKey(name))
              .findFirst()
              .orElse("body");
      return ApiException.badRequest(missing, "is required");
    }
    if (path.isEmpty()) {
      return ApiException.badRequest("body", "must be a JSON object");
    }
    Object value = body;
    for (String step : path) {
      value = at(value, step);
    }
    // A property of an item (districts/0) is named by its top-level field; the rest goes first.
    String inside = path.size() > 1 ? String.join("/", path.subList(1, path.size())) + " " : "";
    String reason = reason(own, leaf.keyword, value, false);
    // The validator's own words when ours have none for the keyword.
    return ApiException.badRequest(
        path.get(0), inside + (reason.isEmpty() ? "is invalid: " + leaf.error : reason));
  }

  /** What {@code schema} asks of a value, in the words the API has always used. */
  static String reason(JsonObject schema, String keyword, Object value, boolean fromText) {
    String was = value instanceof String s ? "'" + s + "'" : String.valueOf(value);
    if (keyword == null || keyword.equals("type")) {
      if (schema.containsKey("enum") && fromText) {
        keyword = "enum";
      } else if ("date-time".equals(schema.getString("format")) && fromText) {
        return ISO_INSTANT + ", was " + was;
      } else {
        String expected = types(schema);
        return switch (expected) {
          case "integer" -> "must be an integer" + (fromText ? ", was " + was : "");
          case "number" -> "must be a number" + (fromText ? ", was " + was : "");
          case "boolean" -> "must be true or false" + (fromText ? ", was " + was : "");
          case "string" -> "must be a string";
          case "array" -> "must be an array";
          case "object" -> "must be a JSON object";
          default -> "must be " + expected;
        };
      }
    }
    return switch (keyword) {
      case "required" -> "is required";
      case "enum" ->
          "must be one of "
              + schema.getJsonArray("enum").stream()
                  .map(String::valueOf)
                  .collect(Collectors.joining(", "))
              + ", was "
              + was;
      case "const" -> "must be " + schema.getValue("const");
      case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" ->
          range(schema, String.valueOf(value));
      case "minLength" ->
          schema.getInteger("minLength") == 1
              ? "must not be empty"
              : "must be at least " + schema.getInteger("minLength") + " characters";
      case "maxLength" ->
          "must be at most "
              + schema.getInteger("maxLength")
              + " characters, was "
              + (value instanceof String s ? s.length() : was);
      case "pattern" ->
          NOT_BLANK.equals(schema.getString("pattern"))
              ? "must not be blank"
              : "must match " + schema.getString("pattern") + ", was " + was;
      case "format" ->
          "date-time".equals(schema.getString("format"))
              ? ISO_INSTANT + ", was " + was
              : "must be a " + schema.getString("format") + ", was " + was;
      case "minItems" -> "must have at least " + schema.getInteger("minItems") + " items";
      case "maxItems" -> "must have at most " + schema.getInteger("maxItems") + " items";
      default -> "";
    };
  }

  private static String range(JsonObject schema, String was) {
    Object min = schema.getValue("minimum");
    Object max = schema.getValue("maximum");
    if (min != null && max != null) {
      return "must be within " + min + ".." + max + ", was " + was;
    }
    return min != null
        ? "must be at least " + min + ", was " + was
        : "must be at most " + max + ", was " + was;
  }

  /** The schema's type without null ({@code [string, 'null']} is a string that may be null). */
  private static String types(JsonObject schema) {
    Object type = schema.getValue("type");
    if (type instanceof JsonArray list) {
      return list.stream()
          .map(String::valueOf)
          .filter(t -> !t.equals("null"))
          .findFirst()
          .orElse("null");
    }
    return type == null ? "valid" : type.toString();
  }

  /** Whether the validator's message is about this parameter (the library names it there only). */
  private static boolean names(ValidatorException refusal, Parameter parameter) {
    String message = refusal.getMessage() == null ? "" : refusal.getMessage();
    return Pattern.compile(
            "\\b"
                + parameter.getIn().name().toLowerCase()
                + " parameter "
                + Pattern.quote(parameter.getName())
                + "(?=[\\s.]|$)")
        .matcher(message)
        .find();
  }

  /** The error that judged the value, not the ones that only report a failed sub-schema. */
  private static Leaf leaf(OutputUnit result) {
    List<OutputUnit> errors = result.getErrors() == null ? List.of() : result.getErrors();
    OutputUnit best = null;
    for (OutputUnit unit : errors) {
      String keyword = lastToken(unit.getKeywordLocation());
      if (LEAVES.contains(keyword)
          && (best == null
              || depth(unit.getInstanceLocation()) > depth(best.getInstanceLocation()))) {
        best = unit;
      }
    }
    OutputUnit chosen = best != null ? best : errors.isEmpty() ? result : errors.get(0);
    return new Leaf(
        chosen.getInstanceLocation() == null ? "" : chosen.getInstanceLocation(),
        chosen.getKeywordLocation() == null ? "" : chosen.getKeywordLocation(),
        lastToken(chosen.getKeywordLocation()),
        chosen.getError());
  }

  private static int depth(String pointer) {
    return tokens(pointer).size();
  }

  private static String lastToken(String pointer) {
    List<String> tokens = tokens(pointer);
    return tokens.isEmpty() ? "" : tokens.get(tokens.size() - 1);
  }

  /** The member or item a step names, or null. */
  private static Object at(Object node, String step) {
    if (node instanceof JsonObject o) {
      return o.getValue(step);
    }
    if (node instanceof JsonArray a && step.matches("\\d+") && Integer.parseInt(step) < a.size()) {
      return a.getValue(Integer.parseInt(step));
    }
    return null;
  }

  /**
   * The schema a {@code $ref} points to ({@code app:///#/components/schemas/Role}), else itself.
   */
  private static JsonObject resolve(JsonObject schema, JsonObject document) {
    String ref = schema.getString("$ref");
    if (ref == null || !ref.contains("#")) {
      return schema;
    }
    Object node = document;
    for (String step : tokens(ref.substring(ref.indexOf('#')))) {
      node = at(node, step);
    }
    return node instanceof JsonObject target ? resolve(target, document) : schema;
  }

  /** A JSON pointer's steps, unescaped ({@code /a~1b/0} is {@code a/b}, {@code 0}). */
  static List<String> tokens(String pointer) {
    // The validator writes pointers as URI fragments: "#", "#/password".
    String path = pointer == null ? "" : pointer.startsWith("#") ? pointer.substring(1) : pointer;
    if (path.isEmpty() || path.equals("/")) {
      return List.of();
    }
    return Arrays.stream(path.substring(path.startsWith("/") ? 1 : 0).split("/", -1))
        .map(t -> t.replace("~1", "/").replace("~0", "~"))
        .toList();
  }

  private static JsonObject bodySchema(Operation operation) {
    if (operation.getRequestBody() == null) {
      return new JsonObject();
    }
    MediaType json = operation.getRequestBody().getContent().get("application/json");
    return json == null ? new JsonObject() : json(json.getSchema());
  }

  /** A resolved schema as JSON, to walk by the validator's keyword locations. */
  private static JsonObject json(JsonSchema schema) {
    JsonObject out = new JsonObject();
    if (schema != null) {
      schema.fieldNames().forEach(name -> out.put(name, schema.get(name)));
    }
    return out;
  }

  private static String raw(RoutingContext ctx, Parameter parameter) {
    return switch (parameter.getIn()) {
      case PATH -> ctx.pathParam(parameter.getName());
      case HEADER -> ctx.request().getHeader(parameter.getName());
      case COOKIE ->
          ctx.request().getCookie(parameter.getName()) == null
              ? null
              : ctx.request().getCookie(parameter.getName()).getValue();
      default -> {
        List<String> values = ctx.queryParam(parameter.getName());
        yield values.isEmpty() ? null : values.get(0);
      }
    };
  }

  private static Object body(RoutingContext ctx) {
    try {
      return ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The error the validator chose: where in the value, which keyword of which schema. */
  private record Leaf(
      String instanceLocation, String keywordLocation, String keyword, String error) {}
}
