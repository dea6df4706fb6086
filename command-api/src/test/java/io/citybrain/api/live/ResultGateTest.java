package io.citybrain.api.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.api.live.LiveDrops.Reason;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.settings.LogText;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResultGateTest {
  private static final long NOW = 1_750_000_000_000L;
  private final ResultGate gate =
      new ResultGate(
          Set.of("FT", "DP"),
          Duration.ofMinutes(6),
          Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

  private static DistrictSnapshot snapshot(String district, long windowEnd, long generated) {
    return DistrictSnapshot.newBuilder()
        .setDistrict(district)
        .setWindowStartMs(windowEnd - 10_000)
        .setWindowEndMs(windowEnd)
        .setGeneratedAtMs(generated)
        .setSituationIndex(3.5)
        .build();
  }

  @Test
  void unknownDistrictsAndLargePayloadsAreRefusedBeforeParsing() {
    assertThat(gate.beforeParsing("ZZ", 10)).isEqualTo(Reason.UNKNOWN_DISTRICT);
    assertThat(gate.beforeParsing("ft", 10)).isEqualTo(Reason.UNKNOWN_DISTRICT);
    assertThat(gate.beforeParsing("FT", ResultGate.MAX_PAYLOAD_BYTES + 1))
        .isEqualTo(Reason.OVERSIZED);
    assertThat(gate.beforeParsing("FT", ResultGate.MAX_PAYLOAD_BYTES)).isNull();
    assertThat(gate.beforeParsing("FT", 0)).isNull();
  }

  @Test
  void aPayloadMustBeAboutItsTopicsDistrict() {
    assertThat(gate.snapshot("FT", snapshot("DP", NOW, NOW))).isEqualTo(Reason.DISTRICT_MISMATCH);
    assertThat(gate.district("FT", "DP")).isEqualTo(Reason.DISTRICT_MISMATCH);
    assertThat(gate.district("FT", "")).isEqualTo(Reason.DISTRICT_MISMATCH);
    assertThat(gate.district("FT", "FT")).isNull();
  }

  @Test
  void anOlderSnapshotThanTheHeldOneIsStale() {
    assertThat(gate.snapshot("FT", snapshot("FT", NOW - 10_000, NOW - 9_000))).isNull();
    assertThat(gate.snapshot("FT", snapshot("FT", NOW - 20_000, NOW))).isEqualTo(Reason.STALE);
    assertThat(gate.snapshot("FT", snapshot("FT", NOW - 10_000, NOW - 9_500)))
        .isEqualTo(Reason.STALE);
    // The same window again (a retained replay) or regenerated later is taken.
    assertThat(gate.snapshot("FT", snapshot("FT", NOW - 10_000, NOW - 9_000))).isNull();
    assertThat(gate.snapshot("FT", snapshot("FT", NOW - 10_000, NOW - 8_000))).isNull();
    // Each district has its own mark.
    assertThat(gate.snapshot("DP", snapshot("DP", NOW - 60_000, NOW - 60_000))).isNull();
    // A cleared topic starts afresh.
    gate.cleared("FT");
    assertThat(gate.snapshot("FT", snapshot("FT", NOW - 60_000, NOW - 60_000))).isNull();
  }

  @Test
  void aSnapshotBeyondTheClockSkewIsRefusedAndNotHeld() {
    long skew = Duration.ofMinutes(6).toMillis();
    assertThat(gate.snapshot("FT", snapshot("FT", NOW + skew + 1, NOW))).isEqualTo(Reason.FUTURE);
    assertThat(gate.snapshot("FT", snapshot("FT", NOW, NOW + skew + 1))).isEqualTo(Reason.FUTURE);
    // Refused ones set no mark: a present-day snapshot is still taken.
    assertThat(gate.snapshot("FT", snapshot("FT", NOW, NOW))).isNull();
    assertThat(gate.snapshot("FT", snapshot("FT", NOW + skew, NOW + skew))).isNull();
  }

  @Test
  void dropsAreCountedByReason() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LiveDrops drops = new LiveDrops(registry);
    drops.drop(Reason.STALE, "city/v1/FT/live", "x");
    drops.drop(Reason.STALE, "city/v1/FT/live\n[fake] line", "x");
    drops.drop(Reason.OVERSIZED, "city/v1/FT/live", "x");
    assertThat(drops.count(Reason.STALE)).isEqualTo(2);
    assertThat(drops.count(Reason.OVERSIZED)).isEqualTo(1);
    assertThat(drops.count(Reason.FUTURE)).isZero();
    assertThat(registry.get(LiveDrops.METRIC).tag("reason", "stale").counter().count())
        .isEqualTo(2.0);
  }

  @Test
  void logTextEscapesWhatAForgerSent() {
    assertThat(LogText.quote("FT\n12:00 INFO fake")).isEqualTo("'FT\\u000a12:00 INFO fake'");
    assertThat(LogText.quote("a'b\u001b[31m")).isEqualTo("'a\\u0027b\\u001b[31m'");
    assertThat(LogText.quote("x".repeat(500))).hasSize(125).endsWith("'...");
    assertThat(LogText.quote(null)).isEqualTo("(none)");
  }
}
