package io.citybrain.api.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * JDBC off the event loop: work runs on a named worker pool as large as the connection pool, so a
 * burst of requests waits in the pool's queue instead of holding event-loop threads or opening
 * connections the database cannot serve.
 */
public final class Db implements AutoCloseable {
  private final DataSource dataSource;
  private final WorkerExecutor workers;

  public Db(Vertx vertx, DataSource dataSource, int poolSize) {
    this.dataSource = dataSource;
    this.workers = vertx.createSharedWorkerExecutor("citybrain-api-db", poolSize);
  }

  /** Work that needs one connection; autocommit, read or single-statement write. */
  public <T> Future<T> query(SqlWork<T> work) {
    return workers.executeBlocking(
        () -> {
          try (Connection connection = dataSource.getConnection()) {
            return work.apply(connection);
          }
        },
        false);
  }

  /**
   * A read that must answer within {@code within} (a request waits on it): past it the future fails
   * with a timeout, whatever the connection it got is still waiting for.
   */
  public <T> Future<T> lookup(SqlWork<T> work, java.time.Duration within) {
    return query(work).timeout(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Work in one transaction: committed when it returns, rolled back when it throws. */
  public <T> Future<T> transaction(SqlWork<T> work) {
    return workers.executeBlocking(() -> inTransaction(work), false);
  }

  /**
   * Like {@link #transaction} but in submission order with other ordered work of the same Vert.x
   * context.
   */
  public <T> Future<T> orderedTransaction(SqlWork<T> work) {
    return workers.executeBlocking(() -> inTransaction(work), true);
  }

  /** Runs on the calling (worker) thread: for code that is already off the event loop. */
  public <T> T inTransaction(SqlWork<T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.apply(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    workers.close();
  }

  /** Something done with a connection. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T apply(Connection connection) throws SQLException;
  }
}
