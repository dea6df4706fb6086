package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Principal;
import io.citybrain.access.TopicRights;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Whom each connection logs in as, and that it carries only what that principal may publish. */
class ConnectionPlanTest {

  @Test
  @DisplayName("as gateways: --connections per district gateway, none mixes districts")
  void gateways() {
    SimConfig config = SimFixture.config("--districts", "DP,FT", "--connections", "3");
    SimFleet fleet = new SimFleet(config);
    ConnectionPlan plan = new ConnectionPlan(config, fleet);
    assertThat(plan.connections()).hasSize(6);
    assertThat(plan.connections().stream().map(c -> c.principal()).distinct())
        .containsExactly(Principal.districtGateway("DP"), Principal.districtGateway("FT"));
    Set<String> clientIds = new HashSet<>();
    plan.connections().forEach(c -> clientIds.add(c.settings().clientId()));
    assertThat(clientIds).hasSize(6).contains("citybrain-sim-1of1-DP-0", "citybrain-sim-1of1-FT-2");
    everyMessageIsAllowedOnItsConnection(config, fleet, plan, 20_000);
    assertThat(plan.commandFilters()).containsOnlyKeys("city/v1/DP/cmd/+", "city/v1/FT/cmd/+");
    plan.commandFilters()
        .forEach(
            (filter, index) ->
                assertThat(
                        TopicRights.maySubscribe(plan.connections().get(index).principal(), filter))
                    .isTrue());
  }

  @Test
  @DisplayName(
      "as devices: one connection and login per device; an actuator reads its own commands")
  void devices() {
    SimConfig config = SimFixture.config("--districts", "DP", "--connect-as", "devices");
    SimFleet fleet = new SimFleet(config);
    ConnectionPlan plan = new ConnectionPlan(config, fleet);
    assertThat(plan.connections()).hasSize(fleet.devices().size());
    assertThat(plan.connections().get(0).settings().username())
        .isEqualTo(fleet.devices().get(0).device.id());
    everyMessageIsAllowedOnItsConnection(config, fleet, plan, 5_000);
    assertThat(plan.commandFilters()).hasSize(fleet.actuators().size());
    plan.commandFilters()
        .forEach(
            (filter, index) -> {
              Principal device = plan.connections().get(index).principal();
              assertThat(filter).isEqualTo("city/v1/DP/cmd/" + device.name());
              assertThat(TopicRights.maySubscribe(device, filter)).isTrue();
            });
  }

  @Test
  @DisplayName("gateway batches go over their video-analytics gateway's own login")
  void batches() {
    SimConfig config = SimFixture.config("--districts", "FT", "--gateway-batch", "50");
    SimFleet fleet = new SimFleet(config);
    ConnectionPlan plan = new ConnectionPlan(config, fleet);
    assertThat(plan.connections().stream().map(c -> c.principal().name()))
        .contains("FT-GW-IOT", "FT-GW-001");
    everyMessageIsAllowedOnItsConnection(config, fleet, plan, 20_000);
  }

  @Test
  @DisplayName("without telemetry only the actuators' districts (or devices) connect")
  void actuatorsOnly() {
    SimConfig config =
        SimFixture.config("--districts", "DP", "--no-telemetry", "--connect-as", "devices");
    SimFleet fleet = new SimFleet(config);
    assertThat(new ConnectionPlan(config, fleet).connections()).hasSize(fleet.actuators().size());
  }

  private static void everyMessageIsAllowedOnItsConnection(
      SimConfig config, SimFleet fleet, ConnectionPlan plan, int messages) {
    TelemetryGenerator generator = SimRun.generator(config, fleet, () -> SimFixture.ORIGIN_MS);
    int batches = 0;
    for (int i = 0; i < messages; i++) {
      Outgoing o = generator.next();
      Principal principal = plan.connections().get(plan.of(o)).principal();
      assertThat(TopicRights.mayPublish(principal, o.topic()))
          .as("%s publishing %s", principal, o.topic())
          .isTrue();
      batches += o.messageClass() == io.citybrain.proto.MessageClass.BATCH ? 1 : 0;
    }
    for (SimDevice d : fleet.devices()) {
      Principal principal = plan.connections().get(plan.of(d)).principal();
      String ack = io.citybrain.proto.Topics.ack(d.device.district(), d.device.id());
      assertThat(TopicRights.mayPublish(principal, ack)).as("%s acking", principal).isTrue();
    }
    if (config.gatewayBatch() > 0) {
      assertThat(batches).as("batches generated").isPositive();
    }
  }
}
