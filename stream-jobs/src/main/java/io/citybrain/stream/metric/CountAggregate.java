package io.citybrain.stream.metric;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Counts a window's elements. */
public final class CountAggregate<T> implements AggregateFunction<T, Long, Long> {
  private static final long serialVersionUID = 1L;

  @Override
  public Long createAccumulator() {
    return 0L;
  }

  @Override
  public Long add(T value, Long acc) {
    return acc + 1;
  }

  @Override
  public Long getResult(Long acc) {
    return acc;
  }

  @Override
  public Long merge(Long a, Long b) {
    return a + b;
  }
}
