package io.citybrain.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.sink.DeadLetterRetention;
import io.citybrain.ingest.sink.DeadLetterWriter;
import io.citybrain.ingest.validate.RejectReason;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.storage.Schema;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dead letters against real PostgreSQL: written once per (topic, payload) however often a replay
 * brings them, and deleted after the retention on plain PostgreSQL.
 */
@ExtendWith(CityServicesExtension.class)
class DeadLettersIT {
  private static DataSource db;

  @BeforeAll
  static void schema(TestServices services) {
    db = services.dataSource();
    Schema.migrate(db);
  }

  @Test
  @DisplayName(
      "the same dead letters written twice (a replay after a restore) are stored and reported once")
  void replayWritesOnce() throws Exception {
    List<Rejection> batch = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      batch.add(letter("city/v1/DP/reading/DP-RG-00001", "garbage " + i));
    }
    // The same bytes on another topic are another dead letter; twice in one batch, one.
    batch.add(letter("city/v1/DP/reading/DP-RG-00002", "garbage 0"));
    batch.add(letter("city/v1/DP/reading/DP-RG-00002", "garbage 0"));
    DeadLetterWriter writer = new DeadLetterWriter();
    try (Connection c = db.getConnection()) {
      assertThat(writer.write(c, batch)).hasSize(101);
      assertThat(writer.write(c, batch)).as("the replay's new dead letters").isEmpty();
      assertThat(writer.write(c, batch.subList(0, 10))).isEmpty();
    }
    assertThat(count("SELECT count(*) FROM dead_letter WHERE topic LIKE 'city/v1/DP/reading/%'"))
        .isEqualTo(101);
  }

  @Test
  @DisplayName(
      "dead letters older than the retention go, with their keys; newer ones stay; the same bytes later are new")
  void retention() throws Exception {
    String topic = "city/v1/LG/reading/LG-RG-00001";
    DeadLetterWriter writer = new DeadLetterWriter();
    try (Connection c = db.getConnection()) {
      writer.write(c, List.of(letter(topic, "old 1"), letter(topic, "old 2")));
      try (Statement st = c.createStatement()) {
        // As if written 31 days ago.
        st.execute(
            "UPDATE dead_letter SET received_at = now() - interval '31 days' WHERE topic = '"
                + topic
                + "'");
        st.execute("UPDATE dead_letter_key SET received_at = now() - interval '31 days'");
      }
      writer.write(c, List.of(letter(topic, "new")));
      long deleted = new DeadLetterRetention(Duration.ofDays(30)).apply(c);
      assertThat(deleted).isEqualTo(2);
      assertThat(count("SELECT count(*) FROM dead_letter WHERE topic = '" + topic + "'"))
          .isEqualTo(1);
      assertThat(writer.write(c, List.of(letter(topic, "old 1"))))
          .as("the same bytes after the retention")
          .hasSize(1);
      assertThat(writer.write(c, List.of(letter(topic, "new")))).isEmpty();
    }
  }

  private static Rejection letter(String topic, String payload) {
    return new Rejection(
        topic,
        topic.split("/")[2],
        RejectReason.UNDECODABLE,
        "not a reading",
        payload.getBytes(StandardCharsets.UTF_8));
  }

  private static long count(String sql) throws Exception {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
