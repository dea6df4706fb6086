package io.citybrain.stream.metric;

import io.citybrain.ingest.validate.TelemetryItem;
import java.util.Arrays;
import java.util.Set;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Folds a window's readings into count, min, max and sum, keeping values only for the metrics that
 * want a p95.
 */
public final class MetricStatsAggregate
    implements AggregateFunction<TelemetryItem, MetricAccumulator, MetricAccumulator> {
  private static final long serialVersionUID = 1L;
  private final Set<String> p95Metrics;

  public MetricStatsAggregate(Set<String> p95Metrics) {
    this.p95Metrics = Set.copyOf(p95Metrics);
  }

  @Override
  public MetricAccumulator createAccumulator() {
    return new MetricAccumulator();
  }

  @Override
  public MetricAccumulator add(TelemetryItem item, MetricAccumulator acc) {
    acc.add(item.value, p95Metrics.contains(item.metric));
    return acc;
  }

  @Override
  public MetricAccumulator getResult(MetricAccumulator acc) {
    return acc;
  }

  @Override
  public MetricAccumulator merge(MetricAccumulator a, MetricAccumulator b) {
    MetricAccumulator merged = new MetricAccumulator();
    for (MetricAccumulator acc : new MetricAccumulator[] {a, b}) {
      merged.count += acc.count;
      merged.min = Math.min(merged.min, acc.min);
      merged.max = Math.max(merged.max, acc.max);
      merged.addPartials(acc);
      if (acc.values != null) {
        double[] values = merged.values == null ? new double[0] : merged.values;
        double[] joined = Arrays.copyOf(values, values.length + (int) acc.count);
        System.arraycopy(acc.values, 0, joined, values.length, (int) acc.count);
        merged.values = joined;
      }
    }
    return merged;
  }
}
