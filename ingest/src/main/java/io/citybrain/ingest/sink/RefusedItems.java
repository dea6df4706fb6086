package io.citybrain.ingest.sink;

import io.citybrain.ingest.validate.TelemetryItem;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the items of a failed batch that the database refuses on their own (a value too big for an
 * index, a data exception): the batch is written by halves, each in a savepoint rolled back at
 * once, so one bad item among thousands costs about 2 log2(n) probes and nothing stays written.
 */
final class RefusedItems {
  private final Connection connection;
  private final RawTelemetryWriter raw;

  RefusedItems(Connection connection, RawTelemetryWriter raw) {
    this.connection = connection;
    this.raw = raw;
  }

  /** Data exceptions, integrity violations, program limits: the row, not the database, is wrong. */
  static boolean isDataError(SQLException e) {
    String state = e.getSQLState();
    return state != null
        && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
  }

  /**
   * The refused items (by identity) with the database's message; the transaction is rolled back
   * after. Throws what is not a data error: then the database, not an item, is the problem.
   */
  Map<TelemetryItem, String> find(List<TelemetryItem> items) throws SQLException {
    Map<TelemetryItem, String> refused = new IdentityHashMap<>();
    connection.setAutoCommit(false);
    try {
      probe(new ArrayList<>(items), refused);
    } finally {
      connection.rollback();
    }
    return refused;
  }

  private void probe(List<TelemetryItem> items, Map<TelemetryItem, String> refused)
      throws SQLException {
    Savepoint before = connection.setSavepoint();
    try {
      raw.write(connection, items);
      connection.rollback(before);
    } catch (SQLException e) {
      connection.rollback(before);
      if (!isDataError(e)) {
        throw e;
      }
      if (items.size() == 1) {
        refused.put(items.get(0), String.valueOf(e.getMessage()));
        return;
      }
      int half = items.size() / 2;
      probe(items.subList(0, half), refused);
      probe(items.subList(half, items.size()), refused);
    }
  }
}
