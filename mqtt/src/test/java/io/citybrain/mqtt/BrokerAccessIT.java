package io.citybrain.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.citybrain.access.BrokerLogin;
import io.citybrain.access.Principal;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The broker is a trust boundary (issue #12's acceptance, on the enforcing test broker): who may
 * connect, subscribe and publish, seen by privileged subscribers.
 */
@ExtendWith(CityServicesExtension.class)
class BrokerAccessIT {
  /**
   * A refused login: Mosquitto 2.0.11's dynamic-security plugin answers 0x87 for an anonymous
   * client and for a wrong password alike; HiveMQ says 0x86 for a bad password.
   */
  private static final String REFUSED =
      "cannot connect to tcp://127\\.0\\.0\\.1:\\d+: refused: "
          + "(not authorized \\(reason code 0x87\\)|bad username or password \\(reason code 0x86\\))";

  @Test
  @DisplayName("an anonymous connect and a wrong password are refused, naming why")
  void loginRequired(TestServices services) {
    assertThatThrownBy(
            () ->
                PahoConnection.connect(
                    MqttSettings.of(services.mqttUrl(), services.uniqueId("anon"))))
        .isInstanceOf(MqttConnectException.class)
        .hasMessageMatching(REFUSED);
    Principal device = Principal.device("FT", services.uniqueId("FT-WRONG"));
    services.login(device);
    assertThatThrownBy(
            () ->
                PahoConnection.connect(
                    MqttSettings.builder(services.mqttUrl(), services.uniqueId("wrong"))
                        .login(device.name(), "not-its-password")
                        .build()))
        .isInstanceOf(MqttConnectException.class)
        .hasMessageMatching(REFUSED);
  }

  @Test
  @DisplayName(
      "a device may not subscribe to # nor to a shared #; the job's shared subscription works")
  void subscriptions(TestServices services) {
    Principal device = Principal.device("FT", services.uniqueId("FT-SUB"));
    try (MqttConnection d = connect(services, services.login(device));
        MqttConnection job = connect(services, services.login(Principal.job()))) {
      assertThatThrownBy(() -> d.subscribe("#", 1, (t, p) -> {}))
          .hasMessage("broker refused subscription to # (reason code 0x87)");
      assertThatThrownBy(() -> d.subscribe("$share/x/#", 1, (t, p) -> {}))
          .hasMessage("broker refused subscription to $share/x/# (reason code 0x87)");
      assertThatThrownBy(
              () -> d.subscribe(Topics.filter(MessageClass.COMMAND, "FT"), 1, (t, p) -> {}))
          .hasMessageContaining("(reason code 0x87)");
      d.subscribe(Topics.command("FT", device.name()), 1, (t, p) -> {});
      job.subscribe("$share/" + services.uniqueId("g") + "/city/v1/+/reading/+", 1, (t, p) -> {});
    }
  }

  @Test
  @DisplayName(
      "with one device's login, another's telemetry, any cmd, another's ack and any result are refused:"
          + " privileged subscribers see none, while its own reading arrives")
  void forgeriesRefused(TestServices services) throws Exception {
    Principal device = Principal.device("FT", services.uniqueId("FT-DEV"));
    String other = services.uniqueId("LG-DEV");
    Principal otherGateway = Principal.districtGateway("LG");
    List<String> forged =
        List.of(
            Topics.reading("FT", services.uniqueId("FT-OTHER")),
            Topics.reading("LG", other),
            Topics.heartbeat("LG", other),
            Topics.batch("FT", "FT-GW-IOT"),
            Topics.command("FT", device.name()),
            Topics.command("LG", other),
            Topics.ack("FT", services.uniqueId("FT-OTHER")),
            Topics.ack("LG", other),
            Topics.live("FT"),
            Topics.cityLive(),
            Topics.alert("FT"),
            Topics.incident("LG"));
    List<String> admin = new CopyOnWriteArrayList<>();
    List<String> observer = new CopyOnWriteArrayList<>();
    List<String> gateway = new CopyOnWriteArrayList<>();
    String own = Topics.reading("FT", device.name());
    try (MqttConnection a = connect(services, services.login(Principal.brokerAdmin()));
        MqttConnection o = connect(services, services.login(Principal.observer()));
        MqttConnection g = connect(services, services.login(otherGateway));
        MqttConnection d = connect(services, services.login(device))) {
      a.subscribe(Topics.ROOT + "/#", 1, (t, p) -> admin.add(t));
      for (MessageClass c : List.of(MessageClass.LIVE, MessageClass.ALERT, MessageClass.INCIDENT)) {
        o.subscribe(Topics.filter(c, Topics.ANY), 1, (t, p) -> observer.add(t));
      }
      g.subscribe(Topics.filter(MessageClass.COMMAND, "LG"), 1, (t, p) -> gateway.add(t));
      List<CompletableFuture<Throwable>> done = new ArrayList<>();
      for (String topic : forged) {
        CompletableFuture<Throwable> f = new CompletableFuture<>();
        d.publish(topic, "forged".getBytes(StandardCharsets.UTF_8), 1, false, f::complete);
        done.add(f);
      }
      // The broker handles one client's messages in order: once its own reading reached the
      // admin, every forgery before it was delivered or refused.
      CompletableFuture<Throwable> ownDone = new CompletableFuture<>();
      d.publish(own, "35.5".getBytes(StandardCharsets.UTF_8), 1, false, ownDone::complete);
      assertThat(ownDone.get(10, TimeUnit.SECONDS)).isNull();
      await().atMost(Duration.ofSeconds(10)).until(() -> admin.contains(own));
      for (CompletableFuture<Throwable> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
      assertThat(admin).containsExactly(own);
      assertThat(observer).isEmpty();
      assertThat(gateway).isEmpty();
    }
  }

  @Test
  @DisplayName("TLS works when the client trusts the installation's CA and fails when it does not")
  void tls(TestServices services) {
    BrokerLogin job = services.login(Principal.job());
    try (MqttConnection c =
        PahoConnection.connect(
            MqttSettings.builder(services.mqttTlsUrl(), services.uniqueId("tls"))
                .login(job)
                .caCertificate(services.caCertificate())
                .build())) {
      assertThat(c.isConnected()).isTrue();
    }
    assertThatThrownBy(
            () ->
                PahoConnection.connect(
                    MqttSettings.builder(services.mqttTlsUrl(), services.uniqueId("untrusting"))
                        .login(job)
                        .build()))
        .isInstanceOf(MqttConnectException.class)
        .hasMessageContaining("cannot connect to " + services.mqttTlsUrl());
  }

  @Test
  @DisplayName(
      "a device connecting under the job's client id takes over neither its session nor its queue")
  void noSessionTakeover(TestServices services) throws Exception {
    String lane = services.uniqueId("citybrain-stream-lane-0");
    String filter = Topics.filter(MessageClass.READING, "FT");
    BrokerLogin job = services.login(Principal.job());
    MqttSettings jobSession = MqttSettings.persistentConsumer(services.mqttUrl(), lane, 600, 100);
    try (MqttConnection first = PahoConnection.connect(jobSession.withLogin(job))) {
      first.subscribe(filter, 1, (topic, payload) -> {});
    }
    // While the job is away, a reading is queued for its session.
    try (MqttConnection gateway =
        connect(services, services.login(Principal.districtGateway("FT")))) {
      CompletableFuture<Throwable> sent = new CompletableFuture<>();
      gateway.publish(
          Topics.reading("FT", "FT-WL-0001"),
          "queued".getBytes(StandardCharsets.UTF_8),
          1,
          false,
          sent::complete);
      assertThat(sent.get(10, TimeUnit.SECONDS)).isNull();
    }
    // Had it taken the session over, the broker would hand it the queue at once, and its automatic
    // acks would take the reading from the job for good.
    BrokerLogin device = services.login(Principal.device("FT", services.uniqueId("FT-WL")));
    try (MqttConnection thief =
        PahoConnection.connect(jobSession.toBuilder().manualAcks(false).login(device).build())) {
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(thief::isConnected);
    }
    List<String> received = new CopyOnWriteArrayList<>();
    try (MqttConnection back = PahoConnection.connect(jobSession.withLogin(job))) {
      back.subscribe(
          filter, 1, (topic, payload) -> received.add(new String(payload, StandardCharsets.UTF_8)));
      await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("queued"));
    }
  }

  private static MqttConnection connect(TestServices services, BrokerLogin login) {
    return PahoConnection.connect(
        MqttSettings.builder(services.mqttUrl(), services.uniqueId(login.username()))
            .login(login)
            .build());
  }
}
