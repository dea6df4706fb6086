package io.citybrain.api.ops;

import io.citybrain.api.db.Db;
import io.citybrain.api.http.Access;
import io.citybrain.api.http.ApiDocument;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.citybrain.mqtt.MqttConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Clock;
import java.util.Set;
import java.util.function.Function;

/**
 * What operators and tools read: health without a token, Prometheus metrics with an admin's, the
 * document.
 */
public final class OpsRoutes {
  private final PipelineHealth health;
  private final PrometheusMeterRegistry registry;
  private final ApiDocument document;

  /**
   * @param latestSnapshot the latest live snapshot of a district, or null
   */
  public OpsRoutes(
      Vertx vertx,
      MqttConnection mqtt,
      Db db,
      Function<String, JsonObject> latestSnapshot,
      Set<String> districts,
      HealthSettings settings,
      AtLeastOnceRisk risk,
      PrometheusMeterRegistry registry,
      ApiDocument document) {
    this.health =
        new PipelineHealth(
            vertx, mqtt, db, latestSnapshot, districts, settings, risk, Clock.systemUTC());
    this.registry = registry;
    this.document = document;
  }

  public void mount(Operations ops) {
    ops.get("getHealth").addHandler(this::health);
    // The meters name clients, runs and refusals: an operator's view, not the public's.
    ops.get("getMetrics")
        .addHandler(Access.requires(Role.ADMIN))
        .addHandler(PrometheusScrapingHandler.create(registry));
    ops.get("getOpenApiJson").addHandler(document::serve);
  }

  private void health(RoutingContext ctx) {
    health
        .check()
        .onSuccess(
            report ->
                Replies.json(ctx, "up".equals(report.getString("status")) ? 200 : 503, report))
        .onFailure(ctx::fail);
  }
}
