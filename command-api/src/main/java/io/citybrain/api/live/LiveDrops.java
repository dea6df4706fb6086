package io.citybrain.api.live;

import io.citybrain.settings.LogText;
import io.citybrain.settings.LogThrottle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Result messages the API refused, counted by reason ({@code citybrain_api_live_rejected_total})
 * and logged at most once per reason every ten seconds ({@link LogThrottle}), with how many went
 * unlogged: a forger flooding a topic fills no disk. Call on the event loop.
 */
public final class LiveDrops {
  /** The counter's name; Prometheus shows it with {@code _total}. */
  public static final String METRIC = "citybrain_api_live_rejected";

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
  private final LogThrottle throttle = new LogThrottle(LogThrottle.EVERY_TEN_SECONDS);

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
    OptionalLong unlogged = throttle.admit(reason.tag());
    if (unlogged.isEmpty()) {
      return;
    }
    LOG.warn(
        "refused a message on {}: {} ({}){}",
        LogText.quote(topic),
        reason.tag(),
        detail,
        LogThrottle.unloggedNote(unlogged.getAsLong()));
  }

  /** How many were refused for this reason. */
  public long count(Reason reason) {
    return (long) counters.get(reason).count();
  }
}
