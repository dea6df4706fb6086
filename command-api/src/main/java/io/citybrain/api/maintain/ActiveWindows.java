package io.citybrain.api.maintain;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance windows the live feed mutes raises by, in memory: read from the database every
 * period (windows made through another process), and at once after this process changes one.
 */
public final class ActiveWindows {
  private static final Logger LOG = LoggerFactory.getLogger(ActiveWindows.class);

  /** How long after a window ends a raise dated within it may still arrive on the live topic. */
  private static final Duration LATE = Duration.ofHours(1);

  private final Vertx vertx;
  private final MaintenanceStore store;
  private final Clock clock;
  private volatile List<MaintenanceStore.Span> spans = List.of();
  private long timer = -1;

  public ActiveWindows(Vertx vertx, MaintenanceStore store, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
  }

  /** Refreshes now and then every {@code period}. */
  public void start(Duration period) {
    refresh();
    timer = vertx.setPeriodic(period.toMillis(), t -> refresh());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** Reads the windows again; a failed read keeps the last ones (logged). */
  public Future<Void> refresh() {
    return store
        .spans(clock.instant().minus(LATE))
        .onSuccess(read -> spans = List.copyOf(read))
        .onFailure(e -> LOG.warn("maintenance windows: cannot refresh: {}", e.getMessage()))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  /** Whether a raise of {@code ruleId} in {@code district} dated {@code raisedAt} is muted. */
  public boolean mutes(String district, String ruleId, Instant raisedAt) {
    for (MaintenanceStore.Span span : spans) {
      if (span.mutes(district, ruleId, raisedAt)) {
        return true;
      }
    }
    return false;
  }
}
