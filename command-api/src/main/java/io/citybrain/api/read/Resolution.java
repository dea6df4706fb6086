package io.citybrain.api.read;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/** A history resolution: raw 10 s and 1 min windows, or the hourly and daily aggregates. */
enum Resolution {
  TEN_SECONDS("10s", Duration.ofSeconds(10), null),
  ONE_MINUTE("1m", Duration.ofMinutes(1), null),
  HOURLY("1h", Duration.ofHours(1), "district_metric_hourly"),
  DAILY("1d", Duration.ofDays(1), "district_metric_daily");

  private final String id;
  private final Duration step;
  private final String view;

  Resolution(String id, Duration step, String view) {
    this.id = id;
    this.step = step;
    this.view = view;
  }

  String id() {
    return id;
  }

  Duration step() {
    return step;
  }

  /** The continuous aggregate (or plain view without TimescaleDB), null for raw windows. */
  String view() {
    return view;
  }

  static Optional<Resolution> parse(String id) {
    return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
  }
}
