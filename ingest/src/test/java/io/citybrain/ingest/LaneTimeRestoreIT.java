package io.citybrain.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.Principal;
import io.citybrain.ingest.source.LaneEventTime;
import io.citybrain.ingest.source.LaneSessions;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.source.MqttSource;
import io.citybrain.ingest.source.MqttSourceConfig;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.simulators.SimReport;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A lane's event time survives a restore: QoS 1 messages through the real broker into a MiniCluster
 * job (two lanes), every one checkpointed and acknowledged, then the job fails on purpose with
 * nothing left to redeliver. Flink checkpoints no watermarks; the restored job must still stand
 * where the failed one stood, or the windows open at the checkpoint would never close.
 */
@ExtendWith(CityServicesExtension.class)
class LaneTimeRestoreIT {
  static final int MESSAGES = 2_000;
  static final long BOUND_MS = 1_000;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  static final Queue<long[]> WATERMARKS = new ConcurrentLinkedQueue<>();
  static final Queue<MqttRecord> MARKERS = new ConcurrentLinkedQueue<>();
  static final AtomicLong MESSAGES_SEEN = new AtomicLong();
  static final AtomicBoolean FAIL_NOW = new AtomicBoolean();

  @Test
  @DisplayName(
      "failed after every message was acknowledged: the restored job's watermark is the failed"
          + " one's, carried by one time marker per lane")
  void watermarkResumes(TestServices services) throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    env.enableCheckpointing(200);
    List<String> filters = new ArrayList<>();
    for (String d : SeedLoader.load().districtCodes()) {
      for (MessageClass c : MessageClass.TELEMETRY) {
        filters.add(Topics.filter(c, d));
      }
    }
    MqttSourceConfig source =
        new MqttSourceConfig(
            services.mqttUrl(),
            services.login(Principal.job()),
            null,
            filters,
            services.uniqueId("lane-time"),
            2,
            1,
            60_000,
            Duration.ofMinutes(2),
            20_000,
            false);
    LaneEventTime arrival = () -> record -> record.receivedAtMs;
    env.fromSource(
            new MqttSource(source, arrival),
            // Idleness far away: both lanes stay active, the subtask's time is their minimum.
            WatermarkStrategy.<MqttRecord>forBoundedOutOfOrderness(Duration.ofMillis(BOUND_MS))
                .withIdleness(Duration.ofMinutes(10)),
            "mqtt")
        .transform("probe", TypeInformation.of(MqttRecord.class), new Probe());
    LaneSessions.open(source);
    JobClient job = env.executeAsync("lane-time-under-test");
    try {
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> job.getJobStatus().get() == JobStatus.RUNNING);
      SimReport report =
          IngestJob.simulate(
              services,
              services.mqttUrl(),
              "--count",
              Integer.toString(MESSAGES),
              "--rate",
              "2000");
      assertThat(report.errors()).isZero();
      await("every message seen")
          .atMost(Duration.ofMinutes(1))
          .until(() -> MESSAGES_SEEN.get() >= report.published());
      // Several checkpoints complete: every message is acknowledged, nothing will be redelivered.
      Thread.sleep(2_000);
      long before = highest(0);
      assertThat(before).as("the watermark before the failure").isGreaterThan(0);
      FAIL_NOW.set(true);
      await("the restored job's watermark")
          .atMost(Duration.ofMinutes(1))
          .until(() -> highest(1) >= before);
      assertThat(highest(1)).as("restored watermark = the failed job's").isEqualTo(before);
      assertThat(MARKERS).as("one time marker per lane").hasSize(2);
      assertThat(MARKERS).allSatisfy(m -> assertThat(m.isLaneTime()).isTrue());
      assertThat(MESSAGES_SEEN.get()).as("nothing redelivered").isEqualTo(report.published());
    } finally {
      job.cancel().get();
      LaneSessions.end(source);
    }
  }

  private static long highest(int attempt) {
    return WATERMARKS.stream()
        .filter(w -> w[0] == attempt)
        .mapToLong(w -> w[1])
        .max()
        .orElse(Long.MIN_VALUE);
  }

  /** Records watermarks per attempt and messages; fails its first attempt when told. */
  static final class Probe extends AbstractStreamOperator<MqttRecord>
      implements OneInputStreamOperator<MqttRecord, MqttRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void open() throws Exception {
      super.open();
      if (attempt() == 0) {
        getProcessingTimeService()
            .scheduleWithFixedDelay(
                t -> {
                  if (FAIL_NOW.get()) {
                    throw new IllegalStateException("failed on purpose, everything acknowledged");
                  }
                },
                100,
                100);
      }
    }

    @Override
    public void processElement(StreamRecord<MqttRecord> element) {
      if (element.getValue().isLaneTime()) {
        MARKERS.add(element.getValue());
      } else {
        MESSAGES_SEEN.incrementAndGet();
      }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
      WATERMARKS.add(new long[] {attempt(), mark.getTimestamp()});
      super.processWatermark(mark);
    }

    private int attempt() {
      return getRuntimeContext().getTaskInfo().getAttemptNumber();
    }
  }
}
