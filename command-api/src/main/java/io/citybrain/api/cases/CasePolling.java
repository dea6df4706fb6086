package io.citybrain.api.cases;

import io.citybrain.api.live.LiveHub;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The camera-case poll on a timer, one poll at a time, on the API's event loop: what a poll created
 * or merged into goes to the district's live subscribers.
 */
public final class CasePolling {
  private static final Logger LOG = LoggerFactory.getLogger(CasePolling.class);
  private final Context context;
  private final CameraCasePoller poller;
  private final LiveHub hub;
  private long timer = -1;
  private boolean polling;

  public CasePolling(Context context, CameraCasePoller poller, LiveHub hub) {
    this.context = context;
    this.poller = poller;
    this.hub = hub;
  }

  public void start(Duration interval) {
    timer = context.owner().setPeriodic(interval.toMillis(), id -> pollOnTimer());
  }

  public void stop() {
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
      timer = -1;
    }
  }

  /** One poll now, from any thread (tests; the timer does it otherwise): how many cases changed. */
  public Future<Integer> pollNow() {
    Promise<Integer> promise = Promise.promise();
    context.runOnContext(v -> poller.poll().map(this::push).onComplete(promise));
    return promise.future();
  }

  private void pollOnTimer() {
    if (polling) {
      return;
    }
    polling = true;
    poller
        .poll()
        .onComplete(
            ar -> {
              polling = false;
              if (ar.succeeded()) {
                push(ar.result());
              } else {
                LOG.warn("camera case poll failed: {}", ar.cause().toString());
              }
            });
  }

  private int push(List<JsonObject> changes) {
    changes.forEach(c -> hub.event(c.getString("district"), "case", c));
    return changes.size();
  }
}
