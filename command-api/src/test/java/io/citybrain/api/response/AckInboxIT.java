package io.citybrain.api.response;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.storage.Schema;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A standby's ack inbox in PostgreSQL: capped per topic (a device flooding its ack topic adds at
 * most the cap), other topics unaffected, and taken oldest first.
 */
@ExtendWith(CityServicesExtension.class)
class AckInboxIT {
  @Test
  @DisplayName(
      "a flooding device's acks stop at the cap; another device's still go in; oldest first")
  void cappedPerTopicOldestFirst(TestServices services) throws Exception {
    Schema.migrate(services.dataSource());
    String flooder = "city/v1/FT/ack/FT-WL-0001";
    String other = "city/v1/FT/ack/FT-WL-0002";
    int cap = ResponseDispatcher.MAX_INBOX_ACKS_PER_TOPIC;
    try (Connection c = services.dataSource().getConnection()) {
      c.createStatement().execute("TRUNCATE command_ack_inbox");
      int stored = 0;
      for (int i = 0; i < 10 * cap; i++) {
        if (ResponseStore.storeAck(c, flooder, bytes("flood " + i), cap)) {
          stored++;
        }
        if (i % 10 == 0) {
          assertThat(ResponseStore.storeAck(c, other, bytes("other " + i), cap)).isTrue();
        }
      }
      assertThat(stored).isEqualTo(cap);

      List<ResponseStore.StoredAck> taken = ResponseStore.takeAcks(c, 1000);
      assertThat(taken).hasSize(cap + cap);
      List<String> flood =
          taken.stream()
              .filter(a -> a.topic().equals(flooder))
              .map(a -> new String(a.payload(), StandardCharsets.UTF_8))
              .toList();
      assertThat(flood).first().isEqualTo("flood 0");
      assertThat(flood).last().isEqualTo("flood " + (cap - 1));
      // Oldest first across topics: ids in insertion order.
      assertThat(taken.get(0).topic()).isEqualTo(flooder);
      assertThat(new String(taken.get(1).payload(), StandardCharsets.UTF_8)).isEqualTo("other 0");
      assertThat(ResponseStore.takeAcks(c, 1000)).isEmpty();
      // Taken, the topic's share is free again.
      assertThat(ResponseStore.storeAck(c, flooder, bytes("later"), cap)).isTrue();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
