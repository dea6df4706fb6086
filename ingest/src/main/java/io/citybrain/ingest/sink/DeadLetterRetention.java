package io.citybrain.ingest.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Deletes dead letters (and their dedup keys) older than the retention, on plain PostgreSQL as on
 * TimescaleDB: whatever a client sends, the table stays bounded.
 */
public final class DeadLetterRetention {
  private final Duration retention;

  public DeadLetterRetention(Duration retention) {
    if (retention == null || retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException(
          "dead letter retention must be positive, was " + retention);
    }
    this.retention = retention;
  }

  public Duration retention() {
    return retention;
  }

  /** Deletes what is older than the retention; returns the dead letters deleted. */
  public long apply(Connection connection) throws SQLException {
    long[] deleted = new long[1];
    Transactions.run(
        connection,
        () -> {
          deleted[0] = delete(connection, "dead_letter");
          // A key outlives its dead letter by nothing: the same bytes after the retention are new.
          delete(connection, "dead_letter_key");
        });
    return deleted[0];
  }

  private long delete(Connection connection, String table) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "DELETE FROM " + table + " WHERE received_at < now() - make_interval(secs => ?)")) {
      ps.setDouble(1, retention.toMillis() / 1000.0);
      return ps.executeUpdate();
    }
  }
}
