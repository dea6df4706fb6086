package io.citybrain.api.ops;

import io.citybrain.api.http.ApiDocument;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Replies;
import io.citybrain.mqtt.MqttConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** What operators and tools read without a token: health, Prometheus metrics, the document. */
public final class OpsRoutes {
  private final MqttConnection mqtt;
  private final PrometheusMeterRegistry registry;
  private final ApiDocument document;

  public OpsRoutes(MqttConnection mqtt, PrometheusMeterRegistry registry, ApiDocument document) {
    this.mqtt = mqtt;
    this.registry = registry;
    this.document = document;
  }

  public void mount(Operations ops) {
    ops.get("getHealth").addHandler(this::health);
    ops.get("getMetrics").addHandler(PrometheusScrapingHandler.create(registry));
    ops.get("getOpenApiJson").addHandler(document::serve);
  }

  private void health(RoutingContext ctx) {
    boolean up = mqtt.isConnected();
    Replies.json(
        ctx,
        up ? 200 : 503,
        new JsonObject().put("status", up ? "up" : "degraded").put("mqtt", up));
  }
}
