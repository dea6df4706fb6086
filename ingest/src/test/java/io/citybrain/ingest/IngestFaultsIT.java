package io.citybrain.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.access.Principal;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Reading;
import io.citybrain.seeds.MetricKind;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.simulators.SimReport;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input loses nothing and breaks nothing: 10% duplicate publishes store no duplicate row, and
 * about 1,000 malformed or out-of-range messages all land in the dead letters with their reason,
 * without one job restart. A separate subscriber on the same broker is the oracle: it sees exactly
 * what was published.
 */
@ExtendWith(CityServicesExtension.class)
class IngestFaultsIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /** Task starts: one per subtask when nothing restarts. */
  static final AtomicInteger OPENED = new AtomicInteger();

  @Test
  @DisplayName(
      "duplicates store once; every malformed or out-of-range message is a dead letter; no restart")
  void faultsGoWhereTheyBelong(TestServices services) throws Exception {
    IngestJob.prepareDatabase(services);
    Map<String, MetricKind> metrics = SeedLoader.load().metricsById();
    ConcurrentLinkedQueue<byte[][]> seen = new ConcurrentLinkedQueue<>();
    try (MqttConnection oracle =
            PahoConnection.connect(
                MqttSettings.of(services.mqttUrl(), services.uniqueId("oracle"))
                    .withMaxInflight(65_535)
                    .withLogin(services.login(Principal.brokerAdmin())));
        IngestJob job = IngestJob.start(services, services.mqttUrl(), new CountOpens())) {
      oracle.subscribe(
          "city/v1/+/+/+",
          1,
          (topic, payload) -> seen.add(new byte[][] {topic.getBytes(), payload}));
      SimReport report =
          IngestJob.simulate(
              services,
              services.mqttUrl(),
              "--count",
              "50000",
              "--rate",
              "8000",
              "--fault-duplicate",
              "0.1",
              "--fault-malformed",
              "0.012",
              "--fault-out-of-range",
              "0.025",
              "--seed",
              "3");
      await("the oracle has every published message")
          .atMost(Duration.ofSeconds(30))
          .until(() -> seen.size() >= report.published());
      assertThat(seen).hasSize((int) report.published());

      Set<String> valid = new HashSet<>();
      // A dead letter's identity is its topic and bytes: the same invalid message again is a
      // duplicate, as a replay after a restore would be.
      Set<String> invalidSeen = new HashSet<>();
      long invalid = 0;
      long duplicates = 0;
      for (byte[][] message : seen) {
        String identity = identityIfValid(new String(message[0]), message[1], metrics);
        if (identity == null) {
          if (invalidSeen.add(
              new String(message[0]) + " " + Base64.getEncoder().encodeToString(message[1]))) {
            invalid++;
          } else {
            duplicates++;
          }
        } else if (!valid.add(identity)) {
          duplicates++;
        }
      }
      assertThat(invalid)
          .as("malformed or out-of-range messages published")
          .isBetween(800L, 1_500L);
      assertThat(duplicates).as("duplicate publishes").isGreaterThan(4_000L);

      assertThat(IngestJob.awaitStored(services, valid.size(), Duration.ofMinutes(2)))
          .isEqualTo(valid.size());
      assertThat(IngestJob.distinctIdentities(services)).isEqualTo(valid.size());
      long expectedLetters = invalid;
      await("every invalid message dead-lettered")
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> IngestJob.query(services, "SELECT count(*) FROM dead_letter"),
              letters -> letters >= expectedLetters);
      assertThat(IngestJob.query(services, "SELECT count(*) FROM dead_letter")).isEqualTo(invalid);
      assertThat(
              IngestJob.query(
                  services,
                  "SELECT count(*) FROM dead_letter WHERE reason NOT IN "
                      + "('undecodable', 'out_of_range') OR detail IS NULL OR length(payload) = 0"))
          .isZero();
      assertThat(OPENED.get()).as("task starts (2 subtasks, no restart)").isEqualTo(2);
      long[] accounting = IngestJob.assertAccounting(services);
      assertThat(accounting[0])
          .as("received = every message published")
          .isEqualTo(report.published());
      assertThat(accounting[2]).as("duplicates").isEqualTo(duplicates);
      assertThat(accounting[3]).as("rejected").isEqualTo(invalid);
    }
  }

  /** "device/seq" of a message the pipeline must store, or null for one it must reject. */
  private static String identityIfValid(
      String topic, byte[] payload, Map<String, MetricKind> metrics) {
    try {
      return switch (topic.split("/")[3]) {
        case "reading" -> {
          Reading r = Reading.parseFrom(payload);
          yield metrics.get(r.getMetric()).inRange(r.getValue())
              ? r.getDeviceId() + "/" + r.getSeq()
              : null;
        }
        case "camera" -> {
          CameraEvent c = CameraEvent.parseFrom(payload);
          yield c.getCameraId() + "/" + c.getSeq();
        }
        default -> {
          Heartbeat h = Heartbeat.parseFrom(payload);
          yield h.getDeviceId() + "/" + h.getSeq();
        }
      };
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /** Passes records through and counts how often a task (re)starts. */
  static final class CountOpens extends RichMapFunction<MqttRecord, MqttRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void open(OpenContext context) {
      OPENED.incrementAndGet();
    }

    @Override
    public MqttRecord map(MqttRecord record) {
      return record;
    }
  }
}
