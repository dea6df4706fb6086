package io.citybrain.api.read;

import static io.citybrain.api.http.Access.requires;

import io.citybrain.api.http.Access;
import io.citybrain.api.http.Operations;
import io.citybrain.api.http.ReadScope;
import io.citybrain.api.http.Replies;
import io.citybrain.api.http.Role;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline's health on one key for the wall: the city's accounting totals and whether they
 * balance, the rate in (from successive samples of the received total, so it needs no per-message
 * counter), and the dead letters.
 */
public final class PipelineRoutes {
  private final ReadStore store;
  private final RateMeter rateIn =
      new RateMeter(TimeUnit.SECONDS.toNanos(60), TimeUnit.SECONDS.toNanos(2));

  public PipelineRoutes(ReadStore store) {
    this.store = store;
  }

  public void mount(Operations ops) {
    ops.get("getPipeline").addHandler(requires(Role.VIEWER)).addHandler(this::pipeline);
  }

  private void pipeline(RoutingContext ctx) {
    ReadScope scope = ReadScope.of(Access.caller(ctx));
    Replies.reply(
        ctx,
        store
            .pipeline(scope)
            .map(
                health -> {
                  // The meter follows the city's total; a scoped caller sees no city-wide rate.
                  Double rate =
                      scope.cityWide()
                          ? rateIn.sample(System.nanoTime(), health.getLong("received"))
                          : null;
                  return health.put("rate_in_per_s", rate);
                }));
  }
}
