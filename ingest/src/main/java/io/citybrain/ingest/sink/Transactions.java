package io.citybrain.ingest.sink;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs work in a transaction: its own on an auto-commit connection, else the caller's (who commits
 * or rolls back).
 */
final class Transactions {
  private Transactions() {}

  /** Work that may fail with SQL or COPY errors. */
  @FunctionalInterface
  interface Work {
    void run() throws SQLException, IOException;
  }

  static void run(Connection connection, Work work) throws SQLException {
    boolean own = connection.getAutoCommit();
    if (own) {
      connection.setAutoCommit(false);
    }
    try {
      work.run();
      if (own) {
        connection.commit();
      }
    } catch (SQLException | IOException | RuntimeException e) {
      if (own) {
        try {
          connection.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
      }
      throw e instanceof SQLException sql
          ? sql
          : new SQLException("write failed: " + e.getMessage(), e);
    } finally {
      if (own) {
        connection.setAutoCommit(true);
      }
    }
  }
}
