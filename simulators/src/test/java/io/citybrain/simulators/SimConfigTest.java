package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.access.FleetCredentials;
import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.settings.InvalidSettingException;
import java.time.Duration;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The run's configuration on its own, without a command line: defaults, and problems said in the
 * domain's words (no flags: the command line adds those).
 */
class SimConfigTest {
  private static CitySeeds seeds;

  @BeforeAll
  static void loadSeeds() {
    seeds = SeedLoader.load();
  }

  private static SimConfig.Builder builder() {
    return SimConfig.builder(
            seeds, FleetExpander.expand(seeds), MqttSettings.of("tcp://127.0.0.1:1883", "sim"))
        .credentials(FleetCredentials.load(SimFixture.FLEET));
  }

  @Test
  @DisplayName("a builder with nothing set is the realtime run the flags default to")
  void defaults() {
    SimConfig config = builder().build();
    assertThat(config.qos()).isEqualTo(SimConfig.DEFAULT_QOS);
    assertThat(config.connections()).isEqualTo(SimConfig.DEFAULT_CONNECTIONS);
    assertThat(config.rate()).isEqualTo(Rate.REALTIME);
    assertThat(config.speed()).isEqualTo(1.0);
    assertThat(config.duration()).isNull();
    assertThat(config.maxMessages()).isZero();
    assertThat(config.districts()).isEmpty();
    assertThat(config.shard()).isEqualTo(ShardSpec.ALL);
    assertThat(config.faults()).isEqualTo(FaultPlan.NONE);
    assertThat(config.startHour()).isEqualTo(SimConfig.DEFAULT_DAY_HOUR);
    assertThat(config.telemetry()).isTrue();
    // The actuators verify and sign with the credentials the run logs in with.
    assertThat(config.actuators())
        .isEqualTo(ActuatorSettings.DEFAULT.withFleet(config.credentials()));
    assertThat(config.connectAs()).isEqualTo(SimConfig.ConnectAs.GATEWAYS);
    assertThat(config.connection("FT-2", Principal.districtGateway("FT")).clientId())
        .isEqualTo("sim-1of1-FT-2");
    assertThat(config.connection("FT-2", Principal.districtGateway("FT")).username())
        .isEqualTo("FT-GW-IOT");
    // The flags' defaults are the configuration's: one place for each.
    SimConfig parsed = SimFixture.config();
    assertThat(parsed.describe().toString())
        .isEqualTo(
            SimConfig.builder(
                    parsed.seeds(),
                    parsed.fleet(),
                    MqttSettings.of(parsed.mqtt().url(), SimConfig.DEFAULT_CLIENT_ID_PREFIX))
                .credentials(FleetCredentials.load(SimFixture.FLEET))
                .build()
                .describe()
                .toString());
  }

  @Test
  @DisplayName("speed 0 is refused as 'speed must be a positive number, was 0.0', naming speed")
  void speed() {
    assertThatThrownBy(() -> builder().speed(0).build())
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("speed must be a positive number, was 0.0")
        .satisfies(
            e -> {
              InvalidSettingException invalid = (InvalidSettingException) e;
              assertThat(invalid.setting()).isEqualTo("speed");
              assertThat(invalid.restatedFor(s -> "--" + s))
                  .isEqualTo("--speed must be a positive number, was 0.0");
            });
    assertThatThrownBy(() -> builder().speed(Double.NaN).build())
        .hasMessage("speed must be a positive number, was NaN");
    assertThatThrownBy(() -> builder().speed(30).rate(Rate.MAX).build())
        .hasMessage("speed needs the realtime pace: it excludes rate max");
    assertThat(builder().speed(30).build().speed()).isEqualTo(30);
  }

  @ParameterizedTest(name = "{0}")
  @DisplayName("every problem names its setting in domain words")
  @CsvSource(
      delimiter = '|',
      value = {
        "qos|QoS|QoS must be 0 or 1, was 2",
        "connections|connections|connections must be within 1..256, was 257",
        "gateway batch|gateway batch|gateway batch must not be negative, was -1",
        "day hour|day hour|day hour must be within 0..24, was -1.0",
        "duration|duration|duration must be a positive duration, was PT0S",
        "max messages|max messages|max messages must not be negative, was -5",
        "districts|districts|districts names an unknown district 'XX' (known: FT, LH, NS, YT, BA, LG, LHU, PS, GM, DP, SS)",
        "rate|rate|rate must be a positive number of messages per second or 'max', was 0.0",
        "shard|shard|shard must be i/n with 1 <= i <= n, was 3/2",
        "faults|fault duplicate|fault duplicate must be a rate within 0..1, was 1.1",
        "actuators|ack failure rate|ack failure rate must be a rate within 0..1, was -0.5",
      })
  void domainWords(String what, String setting, String message) {
    UnaryOperator<SimConfig.Builder> bad =
        switch (what) {
          case "qos" -> b -> b.qos(2);
          case "connections" -> b -> b.connections(257);
          case "gateway batch" -> b -> b.gatewayBatch(-1);
          case "day hour" -> b -> b.startHour(-1);
          case "duration" -> b -> b.duration(Duration.ZERO);
          case "max messages" -> b -> b.maxMessages(-5);
          case "districts" -> b -> b.districts(Set.of("XX"));
          case "rate" -> b -> b.rate(new Rate(Rate.Mode.FIXED, 0));
          case "shard" -> b -> b.shard(new ShardSpec(3, 2));
          case "faults" -> b -> b.faults(new FaultPlan(0, 0, 0, 1.1, 0, 0, 0, 0));
          case "actuators" ->
              b -> b.actuators(new ActuatorSettings(true, Duration.ofMillis(10), -0.5));
          default -> throw new IllegalArgumentException(what);
        };
    assertThatThrownBy(() -> bad.apply(builder()).build())
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage(message)
        .extracting(e -> ((InvalidSettingException) e).setting())
        .isEqualTo(setting);
    assertThatThrownBy(() -> Rate.parse("fast"))
        .hasMessage("rate must be a positive number of messages per second or 'max', was 'fast'");
    assertThatThrownBy(() -> ShardSpec.parse("1-2"))
        .hasMessage("shard must be i/n with 1 <= i <= n, was '1-2'");
  }

  @Test
  @DisplayName("the flags restate each problem for the flag the user typed")
  void restatedForFlags() {
    InvalidSettingException count =
        new InvalidSettingException("max messages", "must not be negative, was -1");
    assertThat(count.restatedFor(SimCommand.FLAGS::flagOf))
        .isEqualTo("--count must not be negative, was -1");
    assertThat(SimCommand.FLAGS.flagOf("MQTT URL")).isEqualTo("--mqtt-url");
    assertThat(SimCommand.FLAGS.flagOf("MQTT client id")).isEqualTo("--client-id");
    assertThat(SimCommand.FLAGS.flagOf("scale")).isEqualTo("--scale");
    assertThat(SimCommand.FLAGS.flagOf("fault out of range")).isEqualTo("--fault-out-of-range");
    assertThat(SimCommand.FLAGS.flagOf("no such setting")).isEqualTo("no such setting");
  }

  @Test
  @DisplayName("the fault plan and actuators describe themselves as the settings say")
  void parts() {
    assertThat(FaultPlan.NONE).hasToString("none");
    assertThat(new FaultPlan(0.1, 0.2, 0, 0.05, 0, 0.01, 7_200_000, 120_000))
        .hasToString("skew 0.1, future 0.2 by 7200000 ms, duplicate 0.05, malformed 0.01");
    assertThat(builder().build().describe().toString())
        .containsPattern("\n  actuators +on")
        .containsPattern("\n  ack latency +200 ms")
        .containsPattern("\n  faults +none");
  }
}
