package io.citybrain.api.live;

import io.citybrain.settings.LogText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Result messages the API refused, counted by reason ({@code citybrain_api_live_rejected_total})
 * and logged at most once per reason every {@link #LOG_EVERY_NANOS}, with how many went unlogged: a
 * forger flooding a topic fills no disk. Call on the event loop.
 */
public final class LiveDrops {
  /** The counter's name; Prometheus shows it with {@code _total}. */
  public static final String METRIC = "citybrain_api_live_rejected";

  static final long LOG_EVERY_NANOS = 10_000_000_000L;
  private static final Logger LOG = LoggerFactory.getLogger(LiveDrops.class);

  /** Why a result message was refused. */
  public enum Reason {
    /** Larger than {@link ResultGate#MAX_PAYLOAD_BYTES}: not even parsed. */
    OVERSIZED,
    /** Not a message of its topic's type. */
    MALFORMED,
    /** The topic names no district of the registry. */
    UNKNOWN_DISTRICT,
    /** The payload's district is not the topic's. */
    DISTRICT_MISMATCH,
    /** A snapshot older than the one the API holds for its district. */
    STALE,
    /** A snapshot dated further ahead than the clock skew allows. */
    FUTURE;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);
  private final Map<Reason, Long> lastLogged = new EnumMap<>(Reason.class);
  private final Map<Reason, Long> unlogged = new EnumMap<>(Reason.class);

  public LiveDrops(MeterRegistry registry) {
    for (Reason reason : Reason.values()) {
      counters.put(
          reason,
          Counter.builder(METRIC)
              .tag("reason", reason.tag())
              .description("live, alert and incident messages the API refused")
              .register(registry));
    }
  }

  /** Counts one refused message and logs it unless this reason was logged recently. */
  void drop(Reason reason, String topic, String detail) {
    counters.get(reason).increment();
    long now = System.nanoTime();
    Long last = lastLogged.get(reason);
    if (last != null && now - last < LOG_EVERY_NANOS) {
      unlogged.merge(reason, 1L, Long::sum);
      return;
    }
    long skipped = unlogged.getOrDefault(reason, 0L);
    unlogged.put(reason, 0L);
    lastLogged.put(reason, now);
    LOG.warn(
        "refused a message on {}: {} ({}){}",
        LogText.quote(topic),
        reason.tag(),
        detail,
        skipped == 0 ? "" : "; " + skipped + " more refused for this reason since the last line");
  }

  /** How many were refused for this reason. */
  public long count(Reason reason) {
    return (long) counters.get(reason).count();
  }
}
