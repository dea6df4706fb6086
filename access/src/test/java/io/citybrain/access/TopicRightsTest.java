package io.citybrain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicRightsTest {
  private final Principal device = Principal.device("FT", "FT-WL-0001");
  private final Principal gateway = Principal.districtGateway("FT");

  @Test
  void aDevicePublishesOnlyItsOwnUpstreamTopics() {
    assertThat(TopicRights.mayPublish(device, "city/v1/FT/reading/FT-WL-0001")).isTrue();
    assertThat(TopicRights.mayPublish(device, "city/v1/FT/ack/FT-WL-0001")).isTrue();
    assertThat(TopicRights.mayPublish(device, "city/v1/FT/reading/FT-WL-0002")).isFalse();
    assertThat(TopicRights.mayPublish(device, "city/v1/NS/reading/FT-WL-0001")).isFalse();
    assertThat(TopicRights.mayPublish(device, "city/v1/FT/cmd/FT-WL-0001")).isFalse();
    assertThat(TopicRights.mayPublish(device, "city/v1/FT/ack/FT-WL-0002")).isFalse();
    assertThat(TopicRights.mayPublish(device, "city/v1/FT/live")).isFalse();
    assertThat(TopicRights.mayPublish(device, "city/v1/FT/alert")).isFalse();
    assertThat(TopicRights.mayPublish(device, "city/v1/FT/incident")).isFalse();
    assertThat(TopicRights.mayPublish(device, "city/v1/FT/batch/FT-WL-0001")).isFalse();
    assertThat(TopicRights.mayPublish(device, "city/v1/FT/reading/+")).isFalse();
  }

  @Test
  void aDeviceReadsOnlyItsOwnCommands() {
    assertThat(TopicRights.maySubscribe(device, "city/v1/FT/cmd/FT-WL-0001")).isTrue();
    assertThat(TopicRights.maySubscribe(device, "#")).isFalse();
    assertThat(TopicRights.maySubscribe(device, "city/v1/FT/cmd/+")).isFalse();
    assertThat(TopicRights.maySubscribe(device, "city/v1/FT/cmd/#")).isFalse();
    assertThat(TopicRights.maySubscribe(device, "$share/g/city/v1/FT/cmd/FT-WL-0002")).isFalse();
  }

  @Test
  void aGatewayActsOnlyInItsDistrict() {
    assertThat(TopicRights.mayPublish(gateway, "city/v1/FT/camera/FT-CAM-1")).isTrue();
    assertThat(TopicRights.mayPublish(gateway, "city/v1/FT/batch/FT-GW-IOT")).isTrue();
    assertThat(TopicRights.mayPublish(gateway, "city/v1/FT/batch/FT-GW-OTHER")).isFalse();
    assertThat(TopicRights.mayPublish(gateway, "city/v1/NS/reading/NS-1")).isFalse();
    assertThat(TopicRights.mayPublish(gateway, "city/v1/FT/cmd/FT-1")).isFalse();
    assertThat(TopicRights.maySubscribe(gateway, "city/v1/FT/cmd/+")).isTrue();
    assertThat(TopicRights.maySubscribe(gateway, "city/v1/+/cmd/+")).isFalse();
    assertThat(TopicRights.maySubscribe(gateway, "city/v1/FT/reading/+")).isFalse();
  }

  @Test
  void onlyTheJobPublishesResultsAndOnlyTheApiCommands() {
    Principal job = Principal.job();
    Principal api = Principal.api();
    assertThat(TopicRights.mayPublish(job, "city/v1/FT/live")).isTrue();
    assertThat(TopicRights.mayPublish(job, "city/v1/city/live")).isTrue();
    assertThat(TopicRights.mayPublish(job, "city/v1/FT/cmd/x")).isFalse();
    assertThat(TopicRights.maySubscribe(job, "$share/citybrain/city/v1/FT/reading/+")).isTrue();
    assertThat(TopicRights.maySubscribe(job, "city/v1/+/cmd/+")).isFalse();
    assertThat(TopicRights.mayPublish(api, "city/v1/FT/cmd/x")).isTrue();
    assertThat(TopicRights.mayPublish(api, "city/v1/FT/live")).isFalse();
    assertThat(TopicRights.maySubscribe(api, "city/v1/+/ack/+")).isTrue();
    assertThat(TopicRights.maySubscribe(api, "city/v1/+/reading/+")).isFalse();
    assertThat(TopicRights.maySubscribe(Principal.observer(), "city/v1/+/live")).isTrue();
    assertThat(TopicRights.maySubscribe(Principal.observer(), "city/v1/+/cmd/+")).isFalse();
    assertThat(TopicRights.mayRetain(job)).isTrue();
    assertThat(TopicRights.mayRetain(api)).isFalse();
    assertThat(TopicRights.mayRetain(device)).isFalse();
  }

  @Test
  void filtersCoverLevelByLevel() {
    assertThat(TopicRights.covers("a/+/c", "a/b/c")).isTrue();
    assertThat(TopicRights.covers("a/+/c", "a/+/c")).isTrue();
    assertThat(TopicRights.covers("a/b/c", "a/+/c")).isFalse();
    assertThat(TopicRights.covers("a/#", "a/b/c")).isTrue();
    assertThat(TopicRights.covers("a/+", "a/#")).isFalse();
    assertThat(TopicRights.covers("a/+", "a/b/c")).isFalse();
    assertThat(TopicRights.covers("a/b/c", "a/b")).isFalse();
  }

  @Test
  void devicesCannotTakeServiceNamesOrOddIds() {
    assertThatThrownBy(() -> Principal.device("FT", "citybrain-api"))
        .hasMessageContaining("reserved prefix");
    assertThatThrownBy(() -> Principal.device("FT", "a/b")).hasMessageContaining("must match");
    assertThatThrownBy(() -> Principal.device("FT", "+")).hasMessageContaining("must match");
  }
}
