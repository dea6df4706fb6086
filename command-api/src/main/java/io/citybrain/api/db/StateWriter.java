package io.citybrain.api.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * State changes written one after another, each retried until the database takes it: a database
 * that is down or paused delays them, it does not lose them, and none overtakes an earlier one.
 * Call on one Vert.x context; each write is one transaction (an idempotent one: a commit whose
 * answer was lost is written again).
 */
public final class StateWriter {
  private static final Logger LOG = LoggerFactory.getLogger(StateWriter.class);
  private static final long FIRST_RETRY_MS = 250;
  private static final long LONGEST_RETRY_MS = 5_000;

  private final Vertx vertx;
  private final Db db;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private Future<Void> tail = Future.succeededFuture();

  public StateWriter(Vertx vertx, Db db) {
    this.vertx = vertx;
    this.db = db;
  }

  /** Queues {@code work} after every write queued before; {@code what} names it in the log. */
  public Future<Void> write(String what, Db.SqlWork<?> work) {
    pending.incrementAndGet();
    tail =
        tail.transform(
            ignored -> {
              Promise<Void> done = Promise.promise();
              attempt(what, work, FIRST_RETRY_MS, done);
              return done.future();
            });
    return tail;
  }

  /** Completes once every write queued so far is in the database. */
  public Future<Void> flushed() {
    return tail;
  }

  /** Writes queued and not yet committed. */
  public long pending() {
    return pending.get();
  }

  /** Attempts that failed and were tried again. */
  public long retries() {
    return retries.get();
  }

  /** Writes the database refused (not for being unreachable): logged and skipped. */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Whether {@code e} says the database could not be reached or stopped answering (no connection in
   * time, a broken or timed-out socket, a server shutting down), not that it refused the write.
   */
  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException
          || t instanceof SQLRecoverableException
          || t instanceof java.io.IOException
          || t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
      if (t instanceof SQLException s
          && s.getSQLState() != null
          && (s.getSQLState().startsWith("08")
              || s.getSQLState().startsWith("57P")
              || s.getSQLState().startsWith("53"))) {
        return true;
      }
    }
    return false;
  }

  private void attempt(String what, Db.SqlWork<?> work, long retryMs, Promise<Void> done) {
    db.transaction(work)
        .onSuccess(
            v -> {
              pending.decrementAndGet();
              done.complete();
            })
        .onFailure(
            e -> {
              if (!unreachable(e)) {
                // Not the database's absence but the write itself (a bug, a constraint): retrying
                // would hold every later write behind it forever.
                pending.decrementAndGet();
                dropped.incrementAndGet();
                LOG.error("dropped the write of {}: {}", what, e.toString());
                done.complete();
                return;
              }
              retries.incrementAndGet();
              LOG.warn("could not write {} ({}); again in {} ms", what, e.toString(), retryMs);
              vertx.setTimer(
                  retryMs, t -> attempt(what, work, Math.min(retryMs * 2, LONGEST_RETRY_MS), done));
            });
  }
}
