package io.citybrain.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Token buckets per address, per username and address, and per username, on a hand-driven clock.
 */
class LoginThrottleTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final LoginThrottle throttle =
      new LoginThrottle(
          new LoginThrottle.Limit(4, Duration.ofSeconds(2)),
          new LoginThrottle.Limit(2, Duration.ofSeconds(10)),
          new LoginThrottle.Limit(3, Duration.ofSeconds(10)),
          now::get);

  @Test
  @DisplayName("a username's burst at one address, then a wait until one attempt refills")
  void perUserAtAddress() {
    assertThat(throttle.admit("10.0.0.1", "ann")).isEmpty();
    assertThat(throttle.admit("10.0.0.1", "Ann")).isEmpty();
    assertThat(throttle.admit("10.0.0.1", "ann")).contains(Duration.ofSeconds(10));
    now.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(throttle.admit("10.0.0.1", "ann"))
        .hasValueSatisfying(wait -> assertThat(wait.toMillis()).isBetween(5_999L, 6_000L));
    now.addAndGet(Duration.ofSeconds(6).toNanos());
    assertThat(throttle.admit("10.0.0.1", "ann")).isEmpty();
  }

  @Test
  @DisplayName("wrong passwords from one address do not lock the user out of another")
  void noLockoutFromElsewhere() {
    assertThat(throttle.admit("10.0.0.66", "admin")).isEmpty();
    assertThat(throttle.admit("10.0.0.66", "admin")).isEmpty();
    assertThat(throttle.admit("10.0.0.66", "admin")).isPresent();
    assertThat(throttle.admit("10.0.0.66", "admin")).isPresent();
    assertThat(throttle.admit("10.0.0.1", "admin")).isEmpty();
  }

  @Test
  @DisplayName("a guess spread over addresses meets the username's own bucket")
  void perUserAnywhere() {
    assertThat(throttle.admit("10.0.0.1", "ann")).isEmpty();
    assertThat(throttle.admit("10.0.0.2", "ann")).isEmpty();
    assertThat(throttle.admit("10.0.0.3", "ann")).isEmpty();
    assertThat(throttle.admit("10.0.0.4", "ann")).contains(Duration.ofSeconds(10));
  }

  @Test
  @DisplayName("an address's burst over many names; a refused attempt costs the user nothing")
  void perAddress() {
    for (int i = 0; i < 4; i++) {
      assertThat(throttle.admit("10.0.0.9", "user" + i)).isEmpty();
    }
    assertThat(throttle.admit("10.0.0.9", "bob")).isPresent();
    assertThat(throttle.admit("10.0.0.8", "bob")).isEmpty();
    assertThat(throttle.admit("10.0.0.8", "bob")).isEmpty();
  }

  @Test
  @DisplayName("a correct password gives its attempt back")
  void successRefunds() {
    for (int i = 0; i < 10; i++) {
      assertThat(throttle.admit("10.0.0.1", "ann")).isEmpty();
      throttle.giveBack("10.0.0.1", "ann");
    }
  }
}
