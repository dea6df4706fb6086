package io.citybrain.api.escalate;

import io.citybrain.api.db.Db;
import io.citybrain.seeds.Escalation;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scan for work left waiting: no-data alerts resolved, unacknowledged alerts escalated,
 * assignees reminded, overdue tasks and cases marked. Each step is one transaction over the items
 * due at the clock's instant, taken with {@code SKIP LOCKED} and changed by conditional updates, so
 * scans that overlap (two processes, a slow one) never do a change twice.
 */
public final class Escalator {
  private static final Logger LOG = LoggerFactory.getLogger(Escalator.class);

  /** Items per step and scan: a backlog (the API was down for hours) drains over a few scans. */
  static final int BATCH = 200;

  private final Db db;
  private final Clock clock;
  private final List<Step> steps;

  public Escalator(Db db, Escalation policy, Clock clock) {
    this.db = db;
    this.clock = clock;
    // No data first: an alert whose metric went quiet is resolved, not escalated.
    this.steps =
        List.of(
            new NoDataResolve(policy.noDataAfter(), BATCH),
            new AlertEscalation(policy, BATCH),
            new AlertReminders(policy, BATCH),
            new OverdueTasks(policy, BATCH),
            new OverdueCases(BATCH));
  }

  /**
   * Runs every step once, in order, at the clock's instant: the changes made; a failed step is
   * logged, the next ones still run, and the scan fails with the first failure.
   */
  public Future<List<Change>> scan() {
    Instant now = clock.instant();
    List<Change> changes = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Step step : steps) {
      chain =
          chain.compose(
              v ->
                  db.transaction(c -> step.run(c, now))
                      .<Void>map(
                          done -> {
                            changes.addAll(done);
                            return null;
                          })
                      .recover(
                          e -> {
                            LOG.warn("escalation scan: {} failed: {}", step.name(), e.toString());
                            failures.add(e);
                            return Future.succeededFuture();
                          }));
    }
    return chain.compose(
        v ->
            failures.isEmpty()
                ? Future.succeededFuture(changes)
                : Future.failedFuture(failures.get(0)));
  }
}
