package io.citybrain.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.sink.Ingested;
import io.citybrain.ingest.sink.TelemetrySink;
import io.citybrain.ingest.validate.KnownDevice;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.storage.Schema;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An item the database refuses does not fail the raw sink: a camera event whose event type is too
 * big for a btree index entry goes to the dead letters ({@code processing_failed}); the rest of its
 * batch is stored, the accounting holds, and the job (no restarts allowed) finishes. Before, the
 * batch failed, the task failed, and the same item came back after every restart.
 */
@ExtendWith(CityServicesExtension.class)
class UnstorableItemIT {
  static final long T0 = 1_790_000_000_000L;

  @Test
  @DisplayName(
      "a row the database refuses is a processing_failed dead letter; its batch is stored; no restart")
  void unstorableItemIsDeadLettered(TestServices services) throws Exception {
    Schema.migrate(services.dataSource());
    List<Ingested> input = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      input.add(Ingested.of(camera(i, "road_flooding")));
    }
    // Random letters: TOAST cannot squeeze them under the 2,704 bytes of a btree entry.
    Random random = new Random(13);
    StringBuilder huge = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      huge.append((char) ('a' + random.nextInt(26)));
    }
    input.add(50, Ingested.of(camera(101, huge.toString())));

    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    env.fromData(TypeInformation.of(Ingested.class), input.toArray(Ingested[]::new))
        .sinkTo(new TelemetrySink(services.jdbcUrl(), 5_000, Duration.ofSeconds(1)));
    env.execute("unstorable-item");

    assertThat(IngestJob.query(services, "SELECT count(*) FROM camera_event")).isEqualTo(100);
    assertThat(
            IngestJob.query(
                services,
                "SELECT count(*) FROM dead_letter WHERE reason = 'processing_failed' "
                    + "AND topic = 'city/v1/DP/camera/DP-CAM-00001' AND detail LIKE '%refused%'"))
        .isEqualTo(1);
    long[] accounting = IngestJob.assertAccounting(services);
    assertThat(accounting[0]).as("received").isEqualTo(101);
    assertThat(accounting[3]).as("rejected").isEqualTo(1);
  }

  private static TelemetryItem camera(long seq, String eventType) {
    return TelemetryItem.of(
        "DP",
        CameraEvent.newBuilder()
            .setCameraId("DP-CAM-00001")
            .setSeq(seq)
            .setEventTimeMs(T0 + seq)
            .setEventType(eventType)
            .setConfidence(0.9f)
            .setObjectCount(1)
            .build(),
        new KnownDevice("DP-CAM-00001", "DP", "camera"));
  }
}
