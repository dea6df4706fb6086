package io.citybrain.api.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Locale;

/**
 * Reads a request's body, JSON only: any other content type is 415 before a byte is read, and
 * uploads are never written to disk (a multipart body is refused, not parsed).
 */
public final class JsonBodies implements Handler<RoutingContext> {
  static final String JSON = "application/json";

  // No file uploads, so no upload directory is ever created or written.
  private final BodyHandler body = BodyHandler.create(false).setBodyLimit(Failures.MAX_BODY_BYTES);

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (hasBody(request) && !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
      ctx.fail(
          new ApiException(
              415,
              new JsonObject()
                  .put("error", "unsupported_media_type")
                  .put(
                      "reason",
                      "the API takes "
                          + JSON
                          + " bodies only, not "
                          + (type == null ? "a body without a content type" : "'" + type + "'"))));
      return;
    }
    body.handle(ctx);
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length != null && !length.trim().equals("0"))
        || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mime = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return mime.toLowerCase(Locale.ROOT).equals(JSON);
  }
}
