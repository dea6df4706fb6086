package io.citybrain.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.simulators.SimReport;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker restarts mid-stream (Mosquitto with the project's persistence settings, owned by this
 * test): no message the broker acknowledged to the publisher is lost, and none is stored twice. The
 * lanes fail their reader when the broker goes; Flink restarts it from the last checkpoint and the
 * lanes' sessions deliver what they queued.
 */
@ExtendWith(CityServicesExtension.class)
class BrokerRestartIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  @DisplayName("a broker restart mid-stream loses no message the broker acknowledged")
  void brokerRestart(TestServices services) throws Exception {
    IngestJob.prepareDatabase(services);
    try (TestServices.OwnBroker broker = services.ownMosquitto();
        IngestJob job =
            IngestJob.start(services, broker.url(), (MapFunction<MqttRecord, MqttRecord>) r -> r)) {
      CompletableFuture<SimReport> publishing =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return IngestJob.simulate(
                      services, broker.url(), "--rate", "4000", "--duration", "12s");
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(5_000);
      broker.restart();
      SimReport report = publishing.get();
      // Publishes during the outage fail at the publisher (counted as errors): those were never
      // acknowledged.
      assertThat(report.published()).isGreaterThan(30_000);
      assertThat(IngestJob.awaitStored(services, report.published(), Duration.ofMinutes(2)))
          .as("stored, of %d acknowledged by the broker", report.published())
          .isGreaterThanOrEqualTo(report.published());
      assertThat(IngestJob.distinctIdentities(services)).isEqualTo(IngestJob.storedRows(services));
    }
  }
}
