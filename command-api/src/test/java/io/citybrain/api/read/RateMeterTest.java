package io.citybrain.api.read;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RateMeterTest {
  private static final long S = 1_000_000_000L;

  @Test
  @DisplayName(
      "no rate from one sample or a span shorter than the minimum, then the growth per second")
  void rateFromSamples() {
    RateMeter meter = new RateMeter(60 * S, 2 * S);
    assertThat(meter.sample(0, 1_000)).isNull();
    assertThat(meter.sample(S, 1_100)).as("1 s is too short").isNull();
    assertThat(meter.sample(4 * S, 1_400)).isCloseTo(100.0, Offset.offset(1e-9));
  }

  @Test
  @DisplayName("the rate covers the last window only: old samples leave, so a burst fades out")
  void slidingWindow() {
    RateMeter meter = new RateMeter(10 * S, 2 * S);
    meter.sample(0, 0);
    meter.sample(5 * S, 5_000);
    meter.sample(10 * S, 10_000);
    // From 10 s to 30 s nothing more arrives: the window holds only flat samples by then.
    meter.sample(20 * S, 10_000);
    assertThat(meter.sample(30 * S, 10_000)).isZero();
  }

  @Test
  @DisplayName(
      "a counter that goes back (accounting reset) starts a new history instead of a negative rate")
  void reset() {
    RateMeter meter = new RateMeter(60 * S, 2 * S);
    meter.sample(0, 5_000);
    meter.sample(3 * S, 6_000);
    assertThat(meter.sample(4 * S, 10)).isNull();
    assertThat(meter.sample(7 * S, 310)).isCloseTo(100.0, Offset.offset(1e-9));
  }
}
