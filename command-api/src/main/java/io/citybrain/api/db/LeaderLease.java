package io.citybrain.api.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader among the API processes on a database: a PostgreSQL session advisory lock held on a
 * connection of its own (not the pool's). A standby tries for it every {@code check}; the leader
 * checks its connection as often and steps down when it breaks or the database does not answer
 * within {@code timeout}. The lock is the server's: it is free only once the leader's session has
 * ended (the process died, its connection broke), so two processes never hold it at once; a leader
 * that lost its session learns it at its next check (at most {@code check} later).
 */
public final class LeaderLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderLease.class);

  /** The advisory lock's key: "CBRL" (CityBrain response leader). */
  static final long LOCK_KEY = 0x4342524CL;

  private final String jdbcUrl;
  private final Duration check;
  private final Duration timeout;
  private final Consumer<Boolean> changed;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "citybrain-api-lease");
            t.setDaemon(true);
            return t;
          });
  private Connection connection;
  private volatile boolean leading;

  /**
   * @param changed told {@code true} on becoming the leader and {@code false} on losing it, on the
   *     lease's own thread
   */
  public LeaderLease(String jdbcUrl, Duration check, Duration timeout, Consumer<Boolean> changed) {
    this.jdbcUrl = jdbcUrl;
    this.check = check;
    this.timeout = timeout;
    this.changed = changed;
  }

  /** Starts trying for the lease now, then every check. */
  public void start() {
    thread.scheduleWithFixedDelay(this::tick, 0, check.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean leading() {
    return leading;
  }

  private void tick() {
    try {
      if (leading) {
        if (!alive()) {
          LOG.warn("lost the response leader lease: its database connection broke or hung");
          drop();
          leading = false;
          changed.accept(false);
        }
      } else if (acquire()) {
        LOG.info("took the response leader lease");
        leading = true;
        changed.accept(true);
      }
    } catch (RuntimeException e) {
      LOG.error("leader lease check failed", e);
    }
  }

  private boolean acquire() {
    try {
      if (connection == null || connection.isClosed()) {
        Properties props = new Properties();
        // A database that does not answer within the timeout ends the session's use here.
        props.setProperty("socketTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
        props.setProperty("connectTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
        props.setProperty("ApplicationName", "citybrain-api-lease");
        connection = DriverManager.getConnection(jdbcUrl, props);
      }
      try (Statement s = connection.createStatement();
          ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      LOG.debug("leader lease not taken: {}", e.toString());
      drop();
      return false;
    }
  }

  private boolean alive() {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT 1")) {
      return rs.next();
    } catch (SQLException e) {
      return false;
    }
  }

  private void drop() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // Broken already: the server ends the session, and the lock with it.
      }
      connection = null;
    }
  }

  /** Ends the lease: the lock goes with the session. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drop();
    leading = false;
  }
}
