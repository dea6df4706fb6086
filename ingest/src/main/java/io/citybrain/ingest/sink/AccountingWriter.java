package io.citybrain.ingest.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds a batch's counts to {@code pipeline_accounting}: per district, received, stored, duplicate,
 * and rejected by reason. Written in the same transaction as the batch's rows and dead letters, so
 * received = stored + duplicate + rejected holds in the table at every commit; a replay after a
 * failure counts again as received and as duplicate.
 */
public final class AccountingWriter {

  /** One batch's counts: district to counter (or "rejected:reason") to amount. */
  public static final class Counts {
    private final Map<String, Map<String, Long>> byDistrict = new TreeMap<>();

    public void add(String district, String counter, long amount) {
      if (amount != 0) {
        byDistrict
            .computeIfAbsent(district == null ? "" : district, d -> new TreeMap<>())
            .merge(counter, amount, Long::sum);
      }
    }

    public Map<String, Map<String, Long>> byDistrict() {
      return byDistrict;
    }
  }

  public void add(Connection connection, Counts counts) throws SQLException {
    if (counts.byDistrict.isEmpty()) {
      return;
    }
    Transactions.run(
        connection,
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement(
                  """
          INSERT INTO pipeline_accounting (district, counter, reason, value) VALUES (?, ?, ?, ?)
          ON CONFLICT (district, counter, reason)
          DO UPDATE SET value = pipeline_accounting.value + EXCLUDED.value, updated_at = now()""")) {
            for (Map.Entry<String, Map<String, Long>> district : counts.byDistrict.entrySet()) {
              for (Map.Entry<String, Long> counter : district.getValue().entrySet()) {
                String[] parts = counter.getKey().split(":", 2);
                ps.setString(1, district.getKey());
                ps.setString(2, parts[0]);
                ps.setString(3, parts.length > 1 ? parts[1] : "");
                ps.setLong(4, counter.getValue());
                ps.addBatch();
              }
            }
            ps.executeBatch();
          }
        });
  }
}
