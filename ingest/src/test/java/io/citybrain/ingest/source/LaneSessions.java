package io.citybrain.ingest.source;

import io.citybrain.mqtt.MqttConnection;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;

/**
 * The broker sessions of a source's lanes, handled outside a running job: opened before a
 * deployment, ended after.
 */
public final class LaneSessions {
  private LaneSessions() {}

  /**
   * Opens each lane's persistent session and subscribes its filters, as the source will: from then
   * on the broker queues the lane's messages, however long the job takes to deploy.
   */
  public static void open(MqttSourceConfig config) {
    for (int lane = 0; lane < config.lanes(); lane++) {
      try (MqttConnection session =
          PahoConnection.connect(
              MqttSettings.persistentConsumer(
                      config.brokerUrl(),
                      config.clientId(lane),
                      config.sessionExpiry().toSeconds(),
                      config.receiveMaximum())
                  .toBuilder()
                  .login(config.login())
                  .caCertificate(config.caPath())
                  .build())) {
        for (String filter : config.filtersOf(lane)) {
          session.subscribe(filter, config.qos(), (topic, payload, packetId, qos) -> {});
        }
      }
    }
  }

  /**
   * Ends each lane's session (a clean connect with its client id ends a persistent one): an
   * abandoned session queues every later message on the broker. Quiet when the broker is gone, and
   * its sessions with it.
   */
  public static void end(MqttSourceConfig config) {
    for (int lane = 0; lane < config.lanes(); lane++) {
      try (MqttConnection end =
          PahoConnection.connect(
              MqttSettings.builder(config.brokerUrl(), config.clientId(lane))
                  .login(config.login())
                  .caCertificate(config.caPath())
                  .build())) {
        end.isConnected();
      } catch (RuntimeException e) {
        // The broker may be gone already (a test-owned one).
      }
    }
  }
}
