package io.citybrain.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The replay window's three bounds (age, count, bytes) on a clock the test moves. */
class ReplayWindowTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String payload(ReplayWindow.Entry e) {
    return new String(e.payload(), StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("what is older than the age goes; what is within it stays, oldest first")
  void age() {
    ReplayWindow w = new ReplayWindow(Duration.ofSeconds(15), 1000, 1 << 20, now::get);
    for (int i = 0; i < 20; i++) {
      w.add("t", bytes("m" + i), 1, -1);
      now.addAndGet(1_000_000_000L);
    }
    // Now 20 s after the first: m0..m4 are older than 15 s.
    assertThat(w.upTo(now.get())).extracting(ReplayWindowTest::payload).first().isEqualTo("m5");
    assertThat(w.size()).isEqualTo(15);
    assertThat(w.evictedEarly()).isZero();
    now.addAndGet(Duration.ofSeconds(30).toNanos());
    assertThat(w.size()).isZero();
    assertThat(w.bytes()).isZero();
  }

  @Test
  @DisplayName("past the count the oldest goes, counted as evicted early")
  void count() {
    ReplayWindow w = new ReplayWindow(Duration.ofSeconds(15), 3, 1 << 20, now::get);
    for (int i = 0; i < 5; i++) {
      w.add("t", bytes("m" + i), 1, -1);
    }
    assertThat(w.upTo(now.get()))
        .extracting(ReplayWindowTest::payload)
        .containsExactly("m2", "m3", "m4");
    assertThat(w.evictedEarly()).isEqualTo(2);
  }

  @Test
  @DisplayName("past the bytes the oldest goes; each entry costs payload, topic and the overhead")
  void bytesBound() {
    String topic = "city/v1/DP/reading/dev-1";
    long one = 100 + 2L * topic.length() + ReplayWindow.ENTRY_OVERHEAD_BYTES;
    ReplayWindow w = new ReplayWindow(Duration.ofSeconds(15), 1000, 3 * one, now::get);
    for (int i = 0; i < 4; i++) {
      w.add(topic, new byte[100], 1, -1);
    }
    assertThat(w.size()).isEqualTo(3);
    assertThat(w.bytes()).isEqualTo(3 * one);
    assertThat(w.evictedEarly()).isEqualTo(1);
  }

  @Test
  @DisplayName("upTo leaves out what was kept after the instant (sent after the reconnect)")
  void upTo() {
    ReplayWindow w = new ReplayWindow(Duration.ofSeconds(15), 1000, 1 << 20, now::get);
    w.add("t", bytes("before"), 1, 30);
    long reconnect = now.get();
    now.addAndGet(1);
    w.add("t", bytes("after"), 1, -1);
    assertThat(w.upTo(reconnect)).extracting(ReplayWindowTest::payload).containsExactly("before");
    assertThat(w.upTo(reconnect).get(0).expirySeconds()).isEqualTo(30);
  }

  @Test
  @DisplayName(
      "a message sent again stays the age after that, in its place; one sent after the reconnect"
          + " is not renewed")
  void renewedBySendingAgain() {
    ReplayWindow w = new ReplayWindow(Duration.ofSeconds(15), 1000, 1 << 20, now::get);
    w.add("t", bytes("first"), 1, -1);
    w.add("t", bytes("second"), 1, -1);
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    long reconnect = now.get();
    now.addAndGet(1);
    w.add("t", bytes("after"), 1, -1);
    assertThat(w.renewUpTo(reconnect))
        .extracting(ReplayWindowTest::payload)
        .containsExactly("first", "second");
    // 20 s after the first publish, 10 s after the replay: both still kept, in order.
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(w.upTo(now.get()))
        .extracting(ReplayWindowTest::payload)
        .containsExactly("first", "second", "after");
    // 16 s after the replay: all gone.
    now.addAndGet(Duration.ofSeconds(6).toNanos());
    assertThat(w.size()).isZero();
    assertThat(w.bytes()).isZero();
  }

  @Test
  @DisplayName("bounds that keep nothing are refused with the bound named")
  void badBounds() {
    assertThatThrownBy(() -> new ReplayWindow(Duration.ZERO, 1, 1))
        .hasMessage("replay window must be positive, was PT0S");
    assertThatThrownBy(() -> new ReplayWindow(Duration.ofSeconds(1), 0, 1))
        .hasMessage("replay window must keep at least 1 message, was 0");
    assertThatThrownBy(() -> new ReplayWindow(Duration.ofSeconds(1), 1, 0))
        .hasMessage("replay window must keep at least 1 byte, was 0");
  }
}
