package io.citybrain.api.live;

import io.citybrain.api.live.LiveDrops.Reason;
import io.citybrain.proto.v1.DistrictSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the API accepts from the result topics, whoever published it: a small message, for a
 * district of the registry, about the topic's own district, and for snapshots neither older than
 * the one held nor dated beyond the clock skew. The broker lets only the job publish there; this is
 * the second line. Call on the event loop.
 */
final class ResultGate {
  /** Larger messages are dropped before parsing: a real snapshot is a few KiB. */
  static final int MAX_PAYLOAD_BYTES = 64 * 1024;

  private final Set<String> knownDistricts;
  private final long clockSkewMs;
  private final Clock clock;
  private final Map<String, long[]> held = new HashMap<>();

  ResultGate(Set<String> knownDistricts, Duration clockSkew, Clock clock) {
    this.knownDistricts = Set.copyOf(knownDistricts);
    this.clockSkewMs = clockSkew.toMillis();
    this.clock = clock;
  }

  /** Why a message on this district's topic is refused before parsing, or null. */
  Reason beforeParsing(String topicDistrict, int payloadBytes) {
    if (!knownDistricts.contains(topicDistrict)) {
      return Reason.UNKNOWN_DISTRICT;
    }
    return payloadBytes > MAX_PAYLOAD_BYTES ? Reason.OVERSIZED : null;
  }

  /** Why an alert's or incident's district is refused on this topic, or null. */
  Reason district(String topicDistrict, String payloadDistrict) {
    return topicDistrict.equals(payloadDistrict) ? null : Reason.DISTRICT_MISMATCH;
  }

  /**
   * Why a snapshot is refused, or null when it is accepted and becomes the one held: it must be
   * about the topic's district, not older (by window end, then generation time) than the held one,
   * and neither time further ahead of this clock than the skew.
   */
  Reason snapshot(String topicDistrict, DistrictSnapshot snapshot) {
    if (!topicDistrict.equals(snapshot.getDistrict())) {
      return Reason.DISTRICT_MISMATCH;
    }
    long latestAllowed = clock.millis() + clockSkewMs;
    if (snapshot.getWindowEndMs() > latestAllowed || snapshot.getGeneratedAtMs() > latestAllowed) {
      return Reason.FUTURE;
    }
    long[] mark = held.get(topicDistrict);
    if (mark != null
        && (snapshot.getWindowEndMs() < mark[0]
            || (snapshot.getWindowEndMs() == mark[0] && snapshot.getGeneratedAtMs() < mark[1]))) {
      return Reason.STALE;
    }
    held.put(topicDistrict, new long[] {snapshot.getWindowEndMs(), snapshot.getGeneratedAtMs()});
    return null;
  }

  /** The district's live topic was cleared: the next snapshot starts afresh. */
  void cleared(String district) {
    held.remove(district);
  }
}
