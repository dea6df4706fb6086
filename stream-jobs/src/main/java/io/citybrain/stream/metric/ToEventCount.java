package io.citybrain.stream.metric;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Names a window's camera event count: district and type from the key "district|type", the window
 * start.
 */
public final class ToEventCount
    extends ProcessWindowFunction<Long, EventCount, String, TimeWindow> {
  private static final long serialVersionUID = 1L;
  private final int resolutionS;

  public ToEventCount(int resolutionS) {
    this.resolutionS = resolutionS;
  }

  @Override
  public void process(String key, Context ctx, Iterable<Long> counts, Collector<EventCount> out) {
    int bar = key.indexOf('|');
    EventCount c = new EventCount();
    c.district = key.substring(0, bar);
    c.eventType = key.substring(bar + 1);
    c.resolutionS = resolutionS;
    c.windowStartMs = ctx.window().getStart();
    c.count = counts.iterator().next();
    out.collect(c);
  }
}
