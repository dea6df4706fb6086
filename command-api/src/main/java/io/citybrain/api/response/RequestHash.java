package io.citybrain.api.response;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SHA-256 of a request body's canonical JSON (keys sorted at every level), so the same request
 * sent again hashes the same whatever its key order or spacing.
 */
final class RequestHash {
  private RequestHash() {}

  static String of(JsonObject body) {
    try {
      byte[] canonical = Json.encode(canonical(body)).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The same tree with every object's keys in order: maps, lists and scalars. */
  private static Object canonical(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> sorted = new TreeMap<>();
      object.forEach(e -> sorted.put(e.getKey(), canonical(e.getValue())));
      return sorted;
    }
    if (value instanceof JsonArray array) {
      List<Object> out = new ArrayList<>();
      array.forEach(v -> out.add(canonical(v)));
      return out;
    }
    return value;
  }
}
