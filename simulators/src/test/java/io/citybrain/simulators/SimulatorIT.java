package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.citybrain.access.Principal;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Reading;
import io.citybrain.seeds.Device;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The simulator against a real broker: what a subscriber receives is what the report says was
 * published.
 */
@ExtendWith(CityServicesExtension.class)
class SimulatorIT {

  @Test
  @DisplayName(
      "a short QoS 1 run: every message arrives, decodes, matches the fleet, and seqs rise per device")
  void shortRunMatchesTheFleet(TestServices services) throws Exception {
    try (Subscriber subscriber =
        new Subscriber(
            services.mqttUrl(),
            services.login(Principal.brokerAdmin()),
            services.uniqueId("sub"),
            "city/v1/+/+/+",
            1)) {
      SimReport report = run(services, "--rate", "2000", "--duration", "3s", "--qos", "1");
      assertThat(report.errors()).isZero();
      assertThat(report.published()).isBetween(5_700L, 6_300L);
      assertThat(subscriber.awaitCount(report.published(), 15_000))
          .isEqualTo((int) report.published());

      Map<String, Device> fleet =
          SimFixture.config().fleet().devices().stream()
              .collect(Collectors.toMap(Device::id, d -> d));
      Map<String, Long> lastSeq = new HashMap<>();
      for (Subscriber.Received r : subscriber.all()) {
        Object[] id = SimFixture.identity(SimFixture.decode(r.topic(), r.payload()));
        Device device = fleet.get((String) id[0]);
        assertThat(device).as("%s is in the fleet", id[0]).isNotNull();
        assertThat(r.topic())
            .startsWith("city/v1/" + device.district() + "/")
            .endsWith("/" + id[0]);
        assertThat((long) id[1])
            .as("seq of %s", id[0])
            .isEqualTo(lastSeq.getOrDefault((String) id[0], 0L) + 1);
        lastSeq.put((String) id[0], (long) id[1]);
      }
    }
  }

  @Test
  @DisplayName("--shard 1/2 and 2/2 publish disjoint device sets that together are the whole fleet")
  void shardsThroughTheBroker(TestServices services) throws Exception {
    // --rate is the total of both shards: at 20,000 msg/s every device's schedule (at most 120 s at
    // its own pace) runs
    // about 50 times faster, so 4 s of run time reach every device of each shard at least once.
    Set<String> one =
        devicesPublished(
            services, "--shard", "1/2", "--rate", "20000", "--duration", "4s", "--qos", "0");
    Set<String> two =
        devicesPublished(
            services, "--shard", "2/2", "--rate", "20000", "--duration", "4s", "--qos", "0");
    Set<String> fleet =
        SimFixture.config().fleet().devices().stream().map(Device::id).collect(Collectors.toSet());
    assertThat(one).doesNotContainAnyElementsOf(two);
    Set<String> union = new HashSet<>(one);
    union.addAll(two);
    assertThat(union).hasSize(fleet.size()).isEqualTo(fleet);
  }

  private static Set<String> devicesPublished(TestServices services, String... flags)
      throws Exception {
    try (Subscriber subscriber =
        new Subscriber(
            services.mqttUrl(),
            services.login(Principal.brokerAdmin()),
            services.uniqueId("sub"),
            "city/v1/+/+/+",
            0)) {
      SimReport report = run(services, flags);
      subscriber.awaitCount(report.published(), 15_000);
      Set<String> devices = new HashSet<>();
      for (Subscriber.Received r : subscriber.all()) {
        devices.add((String) SimFixture.identity(SimFixture.decode(r.topic(), r.payload()))[0]);
      }
      return devices;
    }
  }

  @Test
  @DisplayName(
      "two runs with the same seed publish identical payloads (event times relative to the start)")
  void sameSeedSamePayloads(TestServices services) throws Exception {
    List<byte[]> first =
        normalised(
            services, "--rate", "3000", "--count", "4000", "--seed", "5", "--scenario", "fire");
    List<byte[]> second =
        normalised(
            services, "--rate", "3000", "--count", "4000", "--seed", "5", "--scenario", "fire");
    assertThat(first).hasSize(4000);
    assertThat(second).hasSize(4000);
    for (int i = 0; i < first.size(); i++) {
      assertThat(second.get(i)).as("message %d", i).isEqualTo(first.get(i));
    }
  }

  @Test
  @DisplayName("--rate 2000 is held within 5% over 10 s, as published and as received")
  void holdsTheRate(TestServices services) throws Exception {
    try (Subscriber subscriber =
        new Subscriber(
            services.mqttUrl(),
            services.login(Principal.brokerAdmin()),
            services.uniqueId("sub"),
            "city/v1/+/+/+",
            0)) {
      SimReport report = run(services, "--rate", "2000", "--duration", "10s", "--qos", "0");
      assertThat(report.published()).isBetween(19_000L, 21_000L);
      assertThat(report.achievedRate()).isBetween(1_900.0, 2_100.0);
      subscriber.awaitCount(report.published(), 10_000);
      List<Subscriber.Received> all = subscriber.all();
      long first = all.get(0).atNanos();
      long inWindow =
          all.stream()
              .filter(
                  r ->
                      r.atNanos() - first >= 1_000_000_000L && r.atNanos() - first < 9_000_000_000L)
              .count();
      assertThat(inWindow).as("received in 8 s of steady state").isBetween(15_200L, 16_800L);
    }
  }

  @Test
  @DisplayName(
      "fault flags reach the wire: malformed payloads fail to decode, duplicates repeat (device, seq)")
  void faultsOnTheWire(TestServices services) throws Exception {
    try (Subscriber subscriber =
        new Subscriber(
            services.mqttUrl(),
            services.login(Principal.brokerAdmin()),
            services.uniqueId("sub"),
            "city/v1/+/+/+",
            1)) {
      SimReport report =
          run(
              services,
              "--rate",
              "4000",
              "--count",
              "10000",
              "--fault-malformed",
              "0.1",
              "--fault-duplicate",
              "0.1");
      subscriber.awaitCount(report.published(), 15_000);
      int malformed = 0;
      int repeats = 0;
      Set<String> seen = new HashSet<>();
      for (Subscriber.Received r : subscriber.all()) {
        try {
          Object[] id = SimFixture.identity(SimFixture.decode(r.topic(), r.payload()));
          if (!seen.add(id[0] + "/" + id[1])) {
            repeats++;
          }
        } catch (InvalidProtocolBufferException e) {
          malformed++;
        }
      }
      assertThat(malformed / 10_000.0).isBetween(0.08, 0.12);
      assertThat(repeats / 10_000.0).isBetween(0.07, 0.11);
      assertThat(report.faults()).containsKeys("malformed", "duplicate");
    }
  }

  @Test
  @DisplayName(
      "an unreachable broker exits 1 with a one-line reason, after the settings were printed once")
  void unreachableBroker() {
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    int code =
        SimCommand.commandLine(new SimCommand())
            .setErr(new PrintWriter(err, true))
            .setOut(new PrintWriter(out, true))
            .execute(
                "--mqtt-url",
                "tcp://127.0.0.1:1",
                "--count",
                "10",
                "--credentials",
                SimFixture.FLEET.toString());
    assertThat(code).isEqualTo(1);
    assertThat(err.toString().strip())
        .startsWith("sim: cannot connect to tcp://127.0.0.1:1")
        .doesNotContain("\n");
    assertThat(out.toString()).startsWith("sim:" + System.lineSeparator() + "  seeds ");
    assertThat(out.toString().split("MQTT URL", -1)).as("printed once").hasSize(2);

    StringWriter quiet = new StringWriter();
    SimCommand.commandLine(new SimCommand())
        .setErr(new PrintWriter(new StringWriter(), true))
        .setOut(new PrintWriter(quiet, true))
        .execute(
            "--mqtt-url",
            "tcp://127.0.0.1:1",
            "--count",
            "10",
            "--quiet",
            "--credentials",
            SimFixture.FLEET.toString());
    assertThat(quiet.toString()).as("--quiet prints no settings").startsWith("simulating ");
  }

  @Test
  @DisplayName("the deprecated --broker still runs the simulator against that broker")
  void deprecatedBrokerFlag(TestServices services) {
    StringWriter out = new StringWriter();
    int code =
        SimCommand.commandLine(new SimCommand())
            .setErr(new PrintWriter(new StringWriter(), true))
            .setOut(new PrintWriter(out, true))
            .execute(
                "--broker",
                services.mqttUrl(),
                "--credentials",
                services.credentials().toString(),
                "--client-id",
                services.uniqueId("old-flag"),
                "--no-actuators",
                "--rate",
                "500",
                "--count",
                "50",
                "--quiet");
    assertThat(code).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("against " + services.mqttUrl())
        .containsPattern("published +50 ");
  }

  private static SimReport run(TestServices services, String... flags) throws InterruptedException {
    List<String> args = new ArrayList<>(List.of(flags));
    args.addAll(
        List.of(
            "--mqtt-url",
            services.mqttUrl(),
            "--credentials",
            services.credentials().toString(),
            "--client-id",
            services.uniqueId("sim"),
            "--no-actuators"));
    try (SimRun run = new SimRun(SimFixture.config(args.toArray(String[]::new)), null)) {
      return run.run();
    }
  }

  /**
   * Received messages in (device, seq) order, re-encoded with event times relative to the run's
   * earliest.
   */
  private static List<byte[]> normalised(TestServices services, String... flags) throws Exception {
    try (Subscriber subscriber =
        new Subscriber(
            services.mqttUrl(),
            services.login(Principal.brokerAdmin()),
            services.uniqueId("sub"),
            "city/v1/+/+/+",
            1)) {
      SimReport report = run(services, flags);
      subscriber.awaitCount(report.published(), 15_000);
      List<Message> messages = new ArrayList<>();
      for (Subscriber.Received r : subscriber.all()) {
        messages.add(SimFixture.decode(r.topic(), r.payload()));
      }
      long origin =
          messages.stream().mapToLong(m -> (long) SimFixture.identity(m)[2]).min().orElse(0);
      return messages.stream()
          .sorted(
              Comparator.comparing((Message m) -> (String) SimFixture.identity(m)[0])
                  .thenComparing(m -> (Long) SimFixture.identity(m)[1]))
          .map(m -> relative(m, origin).toByteArray())
          .toList();
    }
  }

  private static Message relative(Message m, long origin) {
    if (m instanceof Reading r) {
      return r.toBuilder().setEventTimeMs(r.getEventTimeMs() - origin).build();
    }
    if (m instanceof CameraEvent c) {
      return c.toBuilder().setEventTimeMs(c.getEventTimeMs() - origin).build();
    }
    Heartbeat h = (Heartbeat) m;
    return h.toBuilder().setEventTimeMs(h.getEventTimeMs() - origin).build();
  }
}
