package io.citybrain.stream.metric;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Names a window's accumulated statistics: district and metric from the key "district|metric", the
 * window start.
 */
public final class ToWindowStats
    extends ProcessWindowFunction<MetricAccumulator, WindowStats, String, TimeWindow> {
  private static final long serialVersionUID = 1L;
  private final int resolutionS;

  public ToWindowStats(int resolutionS) {
    this.resolutionS = resolutionS;
  }

  @Override
  public void process(
      String key, Context ctx, Iterable<MetricAccumulator> accs, Collector<WindowStats> out) {
    MetricAccumulator acc = accs.iterator().next();
    int bar = key.indexOf('|');
    WindowStats s = new WindowStats();
    s.district = key.substring(0, bar);
    s.metric = key.substring(bar + 1);
    s.resolutionS = resolutionS;
    s.windowStartMs = ctx.window().getStart();
    s.count = acc.count;
    s.min = acc.min;
    s.max = acc.max;
    s.sum = acc.sum();
    s.mean = s.sum / acc.count;
    s.p95 = acc.p95();
    out.collect(s);
  }
}
