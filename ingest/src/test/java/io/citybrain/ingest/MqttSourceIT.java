package io.citybrain.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.simulators.SimReport;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MQTT source's at-least-once promise end to end: the simulator publishes at QoS 1 through the
 * real broker, a MiniCluster job (parallelism 2, checkpoints every 500 ms) reads two lanes and
 * writes the raw tables of the real PostgreSQL, and the job is failed on purpose five times along
 * the way. Every (device, seq) must be stored once.
 */
@ExtendWith(CityServicesExtension.class)
class MqttSourceIT {
  private static final int MESSAGES = 100_000;
  private static final long[] FAIL_AT = {8_000, 23_000, 41_000, 62_000, 85_000};

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /**
   * Counts records across restarts (the MiniCluster runs in this JVM) and fails the job at each
   * threshold once.
   */
  static final AtomicLong SEEN = new AtomicLong();

  static final AtomicInteger FAILURES = new AtomicInteger();

  @Test
  @DisplayName(
      "100,000 QoS 1 messages with 5 job failures: every (device, seq) stored exactly once, none lost")
  void atLeastOnceWithFailures(TestServices services) throws Exception {
    IngestJob.prepareDatabase(services);
    try (IngestJob job = IngestJob.start(services, services.mqttUrl(), new FailAtThresholds())) {
      SimReport report =
          IngestJob.simulate(
              services,
              services.mqttUrl(),
              "--count",
              Integer.toString(MESSAGES),
              "--rate",
              "10000");
      assertThat(report.published()).isEqualTo(MESSAGES);
      assertThat(report.errors()).isZero();
      assertThat(IngestJob.awaitStored(services, MESSAGES, Duration.ofMinutes(3)))
          .as("rows stored")
          .isEqualTo(MESSAGES);
      assertThat(FAILURES.get()).as("job failures injected").isEqualTo(FAIL_AT.length);
      assertThat(IngestJob.distinctIdentities(services))
          .as("distinct (device, seq)")
          .isEqualTo(MESSAGES);
      assertThat(IngestJob.query(services, "SELECT count(*) FROM dead_letter")).isZero();
      assertThat(SEEN.get()).as("records seen, replays included").isGreaterThanOrEqualTo(MESSAGES);
      long[] accounting = IngestJob.assertAccounting(services);
      assertThat(accounting[1]).as("stored").isEqualTo(MESSAGES);
      assertThat(accounting[0])
          .as("received: every delivery, replays after the failures included")
          .isGreaterThanOrEqualTo(MESSAGES);
    }
  }

  /** Throws when the records seen (across restarts) pass each threshold, once per threshold. */
  static final class FailAtThresholds implements MapFunction<MqttRecord, MqttRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public MqttRecord map(MqttRecord record) {
      long seen = SEEN.incrementAndGet();
      int failures = FAILURES.get();
      if (failures < FAIL_AT.length
          && seen >= FAIL_AT[failures]
          && FAILURES.compareAndSet(failures, failures + 1)) {
        throw new IllegalStateException(
            "failure " + (failures + 1) + " on purpose, after " + seen + " records");
      }
      return record;
    }
  }
}
