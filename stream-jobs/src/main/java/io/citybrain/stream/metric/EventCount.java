package io.citybrain.stream.metric;

/**
 * How many camera events of one type one district saw in one window: a row of {@code
 * district_event_count}.
 */
public class EventCount {
  public String district;
  public String eventType;
  public int resolutionS;
  public long windowStartMs;
  public long count;

  public EventCount() {}

  public long windowEndMs() {
    return windowStartMs + resolutionS * 1000L;
  }
}
