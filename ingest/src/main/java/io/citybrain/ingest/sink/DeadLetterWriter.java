package io.citybrain.ingest.sink;

import io.citybrain.ingest.validate.Rejection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes rejected messages to {@code dead_letter} with the reason, the detail, the topic and the
 * raw bytes, each distinct (topic, payload) once: a replay after a restore, or the same bytes
 * published again, writes nothing and is reported as a repeat, so the accounting stays exact.
 */
public final class DeadLetterWriter {

  /**
   * Writes the batch's new dead letters and returns them (in order); the rest were already there.
   * Its own transaction on an auto-commit connection, part of the caller's otherwise.
   */
  public List<Rejection> write(Connection connection, List<Rejection> rejections)
      throws SQLException {
    if (rejections.isEmpty()) {
      return List.of();
    }
    Map<Key, Rejection> distinct = new LinkedHashMap<>();
    for (Rejection r : rejections) {
      distinct.putIfAbsent(new Key(key(r.topic(), r.payload())), r);
    }
    List<Rejection> fresh = new ArrayList<>();
    Transactions.run(
        connection,
        () -> {
          Set<Key> inserted = new HashSet<>();
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO dead_letter_key (key) SELECT unnest(?::bytea[]) "
                      + "ON CONFLICT DO NOTHING RETURNING key")) {
            Array keys =
                connection.createArrayOf(
                    "bytea", distinct.keySet().stream().map(Key::bytes).toArray(byte[][]::new));
            ps.setArray(1, keys);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                inserted.add(new Key(rs.getBytes(1)));
              }
            }
          }
          distinct.forEach(
              (key, r) -> {
                if (inserted.contains(key)) {
                  fresh.add(r);
                }
              });
          if (fresh.isEmpty()) {
            return;
          }
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO dead_letter (topic, district, reason, detail, payload) VALUES (?, ?, ?, ?, ?)")) {
            for (Rejection r : fresh) {
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
    return fresh;
  }

  /** sha256(topic in UTF-8, 0x00, payload): the identity of a dead letter (V7's formula). */
  static byte[] key(String topic, byte[] payload) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(topic.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(payload);
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** A key with value equality, for the sets. */
  private record Key(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }
}
