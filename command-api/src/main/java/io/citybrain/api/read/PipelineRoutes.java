package io.citybrain.api.read;

import io.citybrain.api.auth.Caller;
import io.citybrain.api.auth.Role;
import io.citybrain.api.db.Db;
import io.citybrain.api.http.Replies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline's health on one key for the wall: the city's accounting totals and whether they
 * balance, the rate in (from successive samples of the received total, so it needs no per-message
 * counter), and the dead letters.
 */
public final class PipelineRoutes {
  static final int RECENT_DEAD_LETTERS = 5;
  private final Db db;
  private final RateMeter rateIn =
      new RateMeter(TimeUnit.SECONDS.toNanos(60), TimeUnit.SECONDS.toNanos(2));

  public PipelineRoutes(Db db) {
    this.db = db;
  }

  public void mount(Router router) {
    router.get("/api/v1/pipeline").handler(this::pipeline);
  }

  private void pipeline(RoutingContext ctx) {
    Caller.of(ctx.user()).require(Role.VIEWER);
    Replies.reply(
        ctx,
        db.query(PipelineRoutes::read)
            .map(
                health -> {
                  // Sampled back on the event loop, which owns the meter.
                  Double rate = rateIn.sample(System.nanoTime(), health.getLong("received"));
                  return health.put("rate_in_per_s", rate);
                }));
  }

  static JsonObject read(Connection c) throws SQLException {
    List<JsonObject> districts = ReadQueries.accounting(c, null);
    long received = 0;
    long stored = 0;
    long duplicate = 0;
    long late = 0;
    long rejected = 0;
    JsonArray unbalanced = new JsonArray();
    for (JsonObject d : districts) {
      received += d.getLong("received");
      stored += d.getLong("stored");
      duplicate += d.getLong("duplicate");
      late += d.getLong("late");
      rejected += d.getLong("rejected");
      if (!d.getBoolean("balanced")) {
        unbalanced.add(d.getString("district"));
      }
    }
    JsonObject byReason = new JsonObject();
    long lastHour = 0;
    try (PreparedStatement ps =
            c.prepareStatement(
                """
        SELECT reason, count(*) FROM dead_letter WHERE received_at > now() - interval '1 hour'
        GROUP BY reason ORDER BY reason""");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        byReason.put(rs.getString(1), rs.getLong(2));
        lastHour += rs.getLong(2);
      }
    }
    List<JsonObject> recent =
        ReadQueries.list(
            c,
            """
        SELECT received_at, topic, district, reason, detail FROM dead_letter ORDER BY received_at DESC LIMIT ?""",
            List.of(RECENT_DEAD_LETTERS));
    return new JsonObject()
        .put("generated_at", Instant.now().toString())
        .put("received", received)
        .put("stored", stored)
        .put("duplicate", duplicate)
        .put("late", late)
        .put("rejected", rejected)
        .put("balanced", unbalanced.isEmpty())
        .put("unbalanced_districts", unbalanced)
        .put(
            "dead_letters",
            new JsonObject()
                .put("last_hour", lastHour)
                .put("by_reason", byReason)
                .put("recent", new JsonArray(recent)));
  }
}
