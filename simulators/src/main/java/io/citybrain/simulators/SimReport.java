package io.citybrain.simulators;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The final report of a run, as a person reads it ({@link #toText}) and as a tool does ({@link
 * #toJson}).
 */
public record SimReport(
    String broker,
    int qos,
    int connections,
    String shard,
    int devices,
    String rate,
    double durationS,
    long published,
    Map<String, Long> publishedByClass,
    double achievedRate,
    long errors,
    long reconnects,
    long replayed,
    Map<String, Long> faults,
    Latency publishLatency,
    Map<String, Long> acks) {

  /** Publish latency percentiles in milliseconds. */
  public record Latency(
      long count, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs) {
    static Latency of(Histogram h) {
      return new Latency(
          h.getTotalCount(),
          ms(h.getValueAtPercentile(50)),
          ms(h.getValueAtPercentile(90)),
          ms(h.getValueAtPercentile(99)),
          ms(h.getValueAtPercentile(99.9)),
          ms(h.getMaxValue()));
    }

    private static double ms(long micros) {
      return micros / 1000.0;
    }
  }

  public String toText() {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "simulator report%n"));
    text.append(
        String.format(
            Locale.ROOT,
            "  broker        %s (QoS %d, %d connection%s)%n",
            broker,
            qos,
            connections,
            connections == 1 ? "" : "s"));
    text.append(String.format(Locale.ROOT, "  devices       %,d (shard %s)%n", devices, shard));
    text.append(String.format(Locale.ROOT, "  duration      %.1f s, rate %s%n", durationS, rate));
    text.append(
        String.format(Locale.ROOT, "  published     %,d (%,.0f msg/s)", published, achievedRate));
    publishedByClass.forEach((k, v) -> text.append(String.format(Locale.ROOT, "  %s %,d", k, v)));
    text.append(
        String.format(
            Locale.ROOT,
            "%n  latency ms    p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
            publishLatency.p50Ms,
            publishLatency.p90Ms,
            publishLatency.p99Ms,
            publishLatency.p999Ms,
            publishLatency.maxMs));
    text.append(
        String.format(
            Locale.ROOT,
            "  errors        %,d, reconnects %,d, replayed after reconnects %,d%n",
            errors,
            reconnects,
            replayed));
    if (faults.values().stream().anyMatch(v -> v > 0)) {
      text.append("  faults       ");
      faults.forEach((k, v) -> text.append(String.format(Locale.ROOT, " %s %,d", k, v)));
      text.append(System.lineSeparator());
    }
    if (!acks.isEmpty()) {
      text.append("  acks         ");
      acks.forEach((k, v) -> text.append(String.format(Locale.ROOT, " %s %,d", k, v)));
      text.append(System.lineSeparator());
    }
    return text.toString();
  }

  public String toJson() {
    try {
      return JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build()
          .writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("report cannot be written as JSON", e);
    }
  }
}
