package io.citybrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.access.PrincipalDirectory;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker enforces the rights Mosquitto's shipped configuration does: tried as an
 * outsider and as a forging device would, with a privileged subscriber counting what got through.
 */
class EmbeddedBrokerAccessIT {
  private static final int GRANTED_QOS_1 = 1;
  private static final int NOT_AUTHORIZED = 0x87;
  private static final int BAD_LOGIN = 0x86;
  private static final Principal DEVICE = Principal.device("FT", "FT-WL-0001");
  private static final Principal OTHER = Principal.device("FT", "FT-WL-0002");
  private static final Principal GATEWAY = Principal.districtGateway("FT");

  private static Path home;
  private static Installation installation;
  private static EmbeddedBroker broker;

  @BeforeAll
  static void start() throws Exception {
    home = Files.createTempDirectory("citybrain-embedded-access-");
    installation = Installation.generate(home.resolve("credentials"));
    broker =
        EmbeddedBroker.start(
            new PrincipalDirectory(installation).addAll(List.of(DEVICE, OTHER, GATEWAY)));
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
    TempFolders.deleteQuietly(home);
  }

  private static String id(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static TestClient as(Principal p) throws Exception {
    return TestClient.connect(broker.url(), id(p.name()), installation, p);
  }

  @Test
  @DisplayName("anonymous, wrong-password and unregistered logins are refused")
  void loginsAreChecked() {
    assertThat(TestClient.refusalOf(broker.url(), id("anon"), null, null)).isEqualTo(BAD_LOGIN);
    assertThat(TestClient.refusalOf(broker.url(), id("wrong"), DEVICE.name(), "not-the-password"))
        .isEqualTo(BAD_LOGIN);
    assertThat(
            TestClient.refusalOf(
                broker.url(),
                id("other-install"),
                Principal.JOB,
                installation.password(Principal.api())))
        .isEqualTo(BAD_LOGIN);
    Principal unregistered = Principal.device("FT", "FT-WL-9999");
    assertThat(
            TestClient.refusalOf(
                broker.url(),
                id("unregistered"),
                unregistered.name(),
                installation.password(unregistered)))
        .isEqualTo(BAD_LOGIN);
    assertThat(
            TestClient.refusalOf(
                broker.url(), id("device"), DEVICE.name(), installation.password(DEVICE)))
        .isZero();
  }

  @Test
  @DisplayName("the broker announces the 256 KiB packet limit")
  void maximumPacketSize() throws Exception {
    try (TestClient job = as(Principal.job())) {
      assertThat(job.maximumPacketSize()).isEqualTo((long) EmbeddedBroker.MAX_PACKET_SIZE);
    }
  }

  @Test
  @DisplayName("a device may subscribe to its own command topic only")
  void deviceSubscriptions() throws Exception {
    try (TestClient device = as(DEVICE)) {
      assertThat(device.subscribe("#")).isEqualTo(NOT_AUTHORIZED);
      assertThat(device.subscribe("city/v1/#")).isEqualTo(NOT_AUTHORIZED);
      assertThat(device.subscribe("city/v1/FT/cmd/+")).isEqualTo(NOT_AUTHORIZED);
      assertThat(device.subscribe(Topics.command("FT", OTHER.name()))).isEqualTo(NOT_AUTHORIZED);
      assertThat(device.subscribe("city/v1/+/live")).isEqualTo(NOT_AUTHORIZED);
      assertThat(device.subscribe("$share/g/city/v1/+/reading/+")).isEqualTo(NOT_AUTHORIZED);
      assertThat(device.subscribe(Topics.command("FT", DEVICE.name()))).isEqualTo(GRANTED_QOS_1);
      assertThat(device.isConnected()).isTrue();
    }
  }

  @Test
  @DisplayName(
      "a device's forged publishes get NOT_AUTHORIZED and reach nobody; its own telemetry arrives")
  void forgedPublishesReachNobody() throws Exception {
    try (TestClient admin = as(Principal.brokerAdmin());
        TestClient device = as(DEVICE)) {
      assertThat(admin.subscribe("city/v1/#")).isEqualTo(GRANTED_QOS_1);
      List<String> forged =
          List.of(
              Topics.reading("FT", OTHER.name()),
              Topics.reading("DP", "DP-WL-0001"),
              Topics.command("FT", DEVICE.name()),
              Topics.command("FT", OTHER.name()),
              Topics.ack("FT", OTHER.name()),
              Topics.batch("FT", GATEWAY.name()),
              Topics.live("FT"),
              Topics.cityLive(),
              Topics.alert("FT"),
              Topics.incident("FT"));
      List<Integer> codes = new ArrayList<>();
      for (String topic : forged) {
        codes.add(device.publish(topic, "forged", false));
      }
      assertThat(codes).as("PUBACK reason codes").containsOnly(NOT_AUTHORIZED);
      assertThat(device.isConnected()).as("refused, not disconnected").isTrue();
      assertThat(device.publish(Topics.ack("FT", DEVICE.name()), "own-ack", false)).isZero();
      assertThat(device.publish(Topics.reading("FT", DEVICE.name()), "own-reading", false))
          .isZero();
      // QoS 1 from one connection arrives in order: once the last one is here, the rest had time.
      List<String> seen = new ArrayList<>();
      while (seen.size() < 2) {
        String message = admin.received.poll(10, TimeUnit.SECONDS);
        assertThat(message).as("the device's own messages").isNotNull();
        seen.add(message);
      }
      assertThat(admin.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
      assertThat(seen)
          .containsExactly(
              Topics.ack("FT", DEVICE.name()) + " own-ack",
              Topics.reading("FT", DEVICE.name()) + " own-reading");
    }
  }

  @Test
  @DisplayName("a gateway publishes only for its own district; the API publishes commands only")
  void gatewayAndApiRights() throws Exception {
    try (TestClient gateway = as(GATEWAY);
        TestClient api = as(Principal.api())) {
      assertThat(gateway.publish(Topics.reading("FT", "FT-AQ-0042"), "ok", false)).isZero();
      assertThat(gateway.publish(Topics.reading("DP", "DP-AQ-0042"), "x", false))
          .isEqualTo(NOT_AUTHORIZED);
      assertThat(gateway.publish(Topics.command("FT", "FT-AQ-0042"), "x", false))
          .isEqualTo(NOT_AUTHORIZED);
      assertThat(api.publish(Topics.command("FT", DEVICE.name()), "cmd", false)).isZero();
      assertThat(api.publish(Topics.live("FT"), "x", false)).isEqualTo(NOT_AUTHORIZED);
      assertThat(api.subscribe(Topics.filter(MessageClass.READING, "FT")))
          .isEqualTo(NOT_AUTHORIZED);
    }
  }

  @Test
  @DisplayName("only the job retains; a retained command or reading is refused")
  void onlyTheJobRetains() throws Exception {
    try (TestClient api = as(Principal.api());
        TestClient device = as(DEVICE);
        TestClient job = as(Principal.job())) {
      assertThat(api.publish(Topics.command("FT", DEVICE.name()), "retained", true))
          .isEqualTo(NOT_AUTHORIZED);
      assertThat(device.publish(Topics.reading("FT", DEVICE.name()), "retained", true))
          .isEqualTo(NOT_AUTHORIZED);
      assertThat(api.isConnected() && device.isConnected()).isTrue();
      assertThat(job.publish(Topics.live("RT"), "picture", true)).isZero();
      // A new subscriber gets the job's retained picture and no retained command.
      try (TestClient device2 = as(DEVICE);
          TestClient observer = as(Principal.observer())) {
        assertThat(device2.subscribe(Topics.command("FT", DEVICE.name()))).isEqualTo(1);
        assertThat(observer.subscribe(Topics.live("RT"))).isEqualTo(1);
        assertThat(observer.received.poll(10, TimeUnit.SECONDS))
            .isEqualTo(Topics.live("RT") + " picture");
        assertThat(device2.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
      }
      assertThat(job.publish(Topics.live("RT"), "", true)).isZero();
    }
  }

  @Test
  @DisplayName("a device cannot take over the job's client id (and its session)")
  void clientIdsBelongToTheirFirstPrincipal() throws Exception {
    String jobId = id("citybrain-job-lane");
    try (TestClient job = TestClient.connect(broker.url(), jobId, installation, Principal.job())) {
      assertThat(
              TestClient.refusalOf(
                  broker.url(), jobId, DEVICE.name(), installation.password(DEVICE)))
          .isEqualTo(NOT_AUTHORIZED);
      assertThat(job.isConnected()).isTrue();
      assertThat(job.subscribe(Topics.filter(MessageClass.READING, "FT"))).isEqualTo(GRANTED_QOS_1);
    }
    // The id stays the job's after it left; the job itself may come back with it.
    assertThat(
            TestClient.refusalOf(broker.url(), jobId, DEVICE.name(), installation.password(DEVICE)))
        .isEqualTo(NOT_AUTHORIZED);
    assertThat(
            TestClient.refusalOf(
                broker.url(), jobId, Principal.JOB, installation.password(Principal.job())))
        .isZero();
  }

  @Test
  @DisplayName(
      "a client retrying a forbidden publish gets at most one INFO line; the rest at DEBUG")
  void refusalsDoNotFloodTheLog() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(Refusals.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Level before = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logger.addAppender(lines);
    try (TestClient device = as(DEVICE)) {
      for (int i = 0; i < 50; i++) {
        assertThat(device.publish(Topics.reading("FT", OTHER.name()), "forged", false))
            .isEqualTo(NOT_AUTHORIZED);
      }
    } finally {
      logger.detachAppender(lines);
      logger.setLevel(before);
    }
    List<ILoggingEvent> refused;
    synchronized (lines) {
      refused =
          lines.list.stream()
              .filter(e -> e.getFormattedMessage().startsWith("refused a publish by " + DEVICE))
              .toList();
    }
    // The line is written before the PUBACK goes out, so all 50 are here.
    assertThat(refused).hasSize(50);
    assertThat(refused.stream().filter(e -> e.getLevel() == Level.INFO))
        .as("INFO lines within ten seconds (an earlier test may have used this one)")
        .hasSizeLessThanOrEqualTo(1);
    assertThat(refused.get(49).getFormattedMessage())
        .isEqualTo(
            "refused a publish by "
                + DEVICE
                + " on '"
                + Topics.reading("FT", OTHER.name())
                + "': not allowed to publish here");
  }
}
