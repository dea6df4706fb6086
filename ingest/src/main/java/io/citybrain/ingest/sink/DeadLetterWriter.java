package io.citybrain.ingest.sink;

import io.citybrain.ingest.validate.Rejection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes rejected messages to {@code dead_letter} with the reason, the detail, the topic and the
 * raw bytes.
 */
public final class DeadLetterWriter {

  /**
   * Writes the batch (dead letters are rare: one batched INSERT is enough); its own transaction on
   * an auto-commit connection, part of the caller's otherwise.
   */
  public int write(Connection connection, List<Rejection> rejections) throws SQLException {
    if (rejections.isEmpty()) {
      return 0;
    }
    Transactions.run(
        connection,
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO dead_letter (topic, district, reason, detail, payload) VALUES (?, ?, ?, ?, ?)")) {
            for (Rejection r : rejections) {
              ps.setString(1, r.topic());
              ps.setString(2, r.district());
              ps.setString(3, r.reason().code());
              ps.setString(4, r.detail());
              ps.setBytes(5, r.payload());
              ps.addBatch();
            }
            ps.executeBatch();
          }
        });
    return rejections.size();
  }
}
