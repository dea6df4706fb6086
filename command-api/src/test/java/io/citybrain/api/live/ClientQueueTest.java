package io.citybrain.api.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A client's queue: bounded events, one snapshot per district, a notice of what was dropped. */
class ClientQueueTest {
  @Test
  @DisplayName("events past the limit drop the oldest and the next poll says how many")
  void boundedEvents() {
    ClientQueue queue = new ClientQueue(3);
    for (int i = 1; i <= 5; i++) {
      queue.offerEvent("e" + i);
    }
    assertThat(queue.size()).isEqualTo(3);
    assertThat(drain(queue))
        .containsExactly("{\"type\":\"dropped\",\"count\":2}", "e3", "e4", "e5");
    assertThat(queue.dropped()).isEqualTo(2);
    assertThat(queue.chars()).isZero();
  }

  @Test
  @DisplayName("snapshots conflate to the newest per district and come after events")
  void conflation() {
    ClientQueue queue = new ClientQueue(10);
    for (int i = 0; i < 1000; i++) {
      queue.offerSnapshot(i % 2 == 0 ? "DP" : "NS", "s" + i);
    }
    queue.offerEvent("alert");
    assertThat(queue.highWater()).isEqualTo(3);
    assertThat(queue.conflated()).isEqualTo(998);
    assertThat(drain(queue)).containsExactly("alert", "s998", "s999");
  }

  @Test
  @DisplayName("leaving a district forgets its waiting snapshot")
  void dropSnapshot() {
    ClientQueue queue = new ClientQueue(10);
    queue.offerSnapshot("DP", "abc");
    queue.dropSnapshot("DP");
    assertThat(queue.isEmpty()).isTrue();
    assertThat(queue.chars()).isZero();
  }

  private static List<String> drain(ClientQueue queue) {
    List<String> out = new ArrayList<>();
    String frame;
    while ((frame = queue.poll()) != null) {
      out.add(frame);
    }
    return out;
  }
}
