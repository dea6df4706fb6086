package io.citybrain.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), nanos::get);

  @Test
  void aFloodGetsOneLinePerIntervalWithTheCountNotLogged() {
    assertThat(throttle.admit("undecodable")).hasValue(0);
    for (int i = 0; i < 999; i++) {
      nanos.addAndGet(1_000_000); // 1 ms apart: 999 ms in all
      assertThat(throttle.admit("undecodable")).isEmpty();
    }
    nanos.addAndGet(Duration.ofSeconds(9).toNanos());
    assertThat(throttle.admit("undecodable")).as("9.999 s after the line").isEmpty();
    nanos.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(throttle.admit("undecodable")).as("10 s after").hasValue(1_000);
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(throttle.admit("undecodable")).as("none in between").hasValue(0);
  }

  @Test
  void eachReasonHasItsOwnAllowance() {
    assertThat(throttle.admit("publish")).hasValue(0);
    assertThat(throttle.admit("subscribe")).hasValue(0);
    assertThat(throttle.admit("publish")).isEmpty();
    assertThat(throttle.admit("login")).isEqualTo(OptionalLong.of(0));
  }

  @Test
  void theNoteNamesTheUnloggedOnly() {
    assertThat(LogThrottle.unloggedNote(0)).isEmpty();
    assertThat(LogThrottle.unloggedNote(42)).isEqualTo("; 42 more since the last line");
    assertThatThrownBy(() -> new LogThrottle(Duration.ZERO))
        .hasMessage("a log throttle's interval must be positive, was PT0S");
  }
}
