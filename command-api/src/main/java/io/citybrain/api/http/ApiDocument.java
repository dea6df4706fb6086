package io.citybrain.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAPI document ({@code openapi/command-api.yaml}): written as YAML for people, served as
 * JSON (the validators and generators all read JSON), and read as the contract the router is built
 * from.
 */
public final class ApiDocument {
  static final String RESOURCE = "/openapi/command-api.yaml";
  private final String json;

  private ApiDocument(String json) {
    this.json = json;
  }

  /** The bundled document. */
  public static ApiDocument bundled() {
    return new ApiDocument(yamlToJson(resource(RESOURCE)));
  }

  /** The contract; fails when the document is not valid OpenAPI 3.1. */
  public Future<OpenAPIContract> contract(Vertx vertx) {
    return OpenAPIContract.from(vertx, new JsonObject(json));
  }

  /** Serves the document as JSON. */
  public void serve(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(json);
  }

  private static String resource(String path) {
    try (InputStream in = ApiDocument.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String yamlToJson(String yaml) {
    try {
      return new ObjectMapper()
          .writeValueAsString(new ObjectMapper(new YAMLFactory()).readTree(yaml));
    } catch (IOException e) {
      throw new IllegalStateException(
          "the OpenAPI document is not valid YAML: " + e.getMessage(), e);
    }
  }
}
