package io.citybrain.api.escalate;

import io.citybrain.api.live.LiveHub;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The escalation scan on a timer, on the API's event loop, only while this process holds the leader
 * lease (one process escalates; the scan's locks keep a second one harmless anyway), one scan at a
 * time; what a scan changed goes to each district's live subscribers as a {@code work} frame.
 */
public final class EscalationScan {
  private static final Logger LOG = LoggerFactory.getLogger(EscalationScan.class);
  private final Context context;
  private final Escalator escalator;
  private final LiveHub hub;
  private final Duration interval;
  private long timer = -1;
  private boolean scanning;

  /**
   * @param interval between scans; zero never scans on a timer (only {@link #scanNow})
   */
  public EscalationScan(Context context, Escalator escalator, LiveHub hub, Duration interval) {
    this.context = context;
    this.escalator = escalator;
    this.hub = hub;
    this.interval = interval;
  }

  /** On the context: this process took the lease. */
  public void lead() {
    if (timer < 0 && !interval.isZero()) {
      timer = context.owner().setPeriodic(interval.toMillis(), id -> scanOnTimer());
    }
  }

  /** On the context: this process lost or gave up the lease. */
  public void standBy() {
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
      timer = -1;
    }
  }

  /** One scan now, from any thread (tests): how many changes it made. */
  public Future<Integer> scanNow() {
    Promise<Integer> promise = Promise.promise();
    context.runOnContext(v -> escalator.scan().map(this::push).onComplete(promise));
    return promise.future();
  }

  private void scanOnTimer() {
    if (scanning) {
      return;
    }
    scanning = true;
    escalator
        .scan()
        .onComplete(
            ar -> {
              scanning = false;
              if (ar.succeeded()) {
                push(ar.result());
              } else {
                LOG.warn("escalation scan failed: {}", ar.cause().toString());
              }
            });
  }

  private int push(List<Change> changes) {
    changes.forEach(c -> hub.event(c.district(), "work", c.frame()));
    return changes.size();
  }
}
