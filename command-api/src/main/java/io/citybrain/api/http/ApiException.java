package io.citybrain.api.http;

import io.vertx.core.json.JsonObject;

/**
 * A request that cannot be served as asked; the failure handler turns it into its status and a JSON
 * body.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final transient JsonObject body;

  public ApiException(int status, JsonObject body) {
    super(body.encode(), null, false, false);
    this.status = status;
    this.body = body;
  }

  public int status() {
    return status;
  }

  public JsonObject body() {
    return body;
  }

  /** 400: which field is wrong and why. */
  public static ApiException badRequest(String field, String reason) {
    return new ApiException(
        400,
        new JsonObject().put("error", "bad_request").put("field", field).put("reason", reason));
  }

  /** 404: what was looked for. */
  public static ApiException notFound(String what, String id) {
    return new ApiException(
        404,
        new JsonObject()
            .put("error", "not_found")
            .put("reason", what + " '" + id + "' does not exist"));
  }

  public static ApiException unauthorized(String reason) {
    return new ApiException(
        401, new JsonObject().put("error", "unauthorized").put("reason", reason));
  }

  public static ApiException forbidden(String reason) {
    return new ApiException(403, new JsonObject().put("error", "forbidden").put("reason", reason));
  }

  public static ApiException conflict(JsonObject details) {
    return new ApiException(409, new JsonObject().put("error", "conflict").mergeIn(details));
  }
}
