package io.citybrain.stream.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Window sums are the correctly rounded exact sum, whatever the order the readings arrive in. */
class ExactSumTest {

  @Test
  @DisplayName(
      "any order of the same values gives the same sum, equal to the exact sum rounded once")
  void orderIndependentAndExact() {
    Random random = new Random(42);
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      values.add(
          Math.round(random.nextDouble() * 100_000) / 100.0 * (random.nextBoolean() ? 1 : 1e-3));
    }
    BigDecimal exact =
        values.stream().map(BigDecimal::new).reduce(BigDecimal.ZERO, BigDecimal::add);
    double expected = exact.round(MathContext.DECIMAL128).doubleValue();
    for (int shuffle = 0; shuffle < 20; shuffle++) {
      Collections.shuffle(values, random);
      MetricAccumulator acc = new MetricAccumulator();
      values.forEach(v -> acc.add(v, false));
      assertThat(acc.sum()).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("merging two halves equals adding them all; sums that cancel come out exact")
  void mergeAndCancellation() {
    MetricAccumulator a = new MetricAccumulator();
    MetricAccumulator b = new MetricAccumulator();
    for (double v : new double[] {1e16, 1.0, -1e16}) {
      a.add(v, false);
    }
    for (double v : new double[] {0.1, 0.2, 0.3}) {
      b.add(v, false);
    }
    assertThat(a.sum()).isEqualTo(1.0);
    MetricAccumulator merged = new MetricStatsAggregate(Set.of()).merge(a, b);
    assertThat(merged.sum()).isEqualTo(1.6);
    assertThat(merged.count).isEqualTo(6);
  }
}
