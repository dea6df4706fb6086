package io.citybrain.seeds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The reference data shipped with CityBrain loads and describes Shenzhen as the mission needs it.
 */
class ShippedSeedsTest {
  private final CitySeeds seeds = SeedLoader.load();

  @Test
  @DisplayName("Shenzhen has its 11 districts with the FACTS.md centroids")
  void elevenDistricts() {
    assertThat(seeds.districtCodes())
        .containsExactly("FT", "LH", "NS", "YT", "BA", "LG", "LHU", "PS", "GM", "DP", "SS");
    District dapeng = seeds.district("DP").orElseThrow();
    assertThat(dapeng.nameZh()).isEqualTo("大鹏新区");
    assertThat(dapeng.lat()).isEqualTo(22.59);
    assertThat(dapeng.lon()).isEqualTo(114.48);
  }

  @Test
  @DisplayName(
      "the metric kinds, camera event types and case categories the issue names are all there")
  void referenceVocabulary() {
    assertThat(seeds.metricsById())
        .containsKeys(
            "pm25",
            "noise_db",
            "water_level_pct",
            "rainfall_mm_h",
            "temperature_c",
            "traffic_flow",
            "traffic_speed",
            "crowd_density");
    assertThat(seeds.cameraEventTypes())
        .extracting(CameraEventType::id)
        .contains(
            "illegal_parking",
            "garbage_overflow",
            "street_vending",
            "crowd_gathering",
            "smoke_fire",
            "road_flooding",
            "traffic_accident",
            "facility_damage");
    assertThat(seeds.gridCaseCategories())
        .extracting(GridCaseCategory::id)
        .containsExactly(
            "community_publicity", "public_environment", "public_order", "facility_maintenance");
    assertThat(seeds.cameraEventType("illegal_parking").orElseThrow().category())
        .isEqualTo("public_order");
    assertThat(seeds.incidentPatterns())
        .extracting(IncidentPattern::id)
        .contains("flood", "fire", "crowd_surge", "accident_congestion", "alert_storm");
    assertThat(seeds.responsePlan("flood_response").orElseThrow().commands()).isNotEmpty();
  }

  @Test
  @DisplayName("the default fleet has at least 20,000 devices and Dapeng has 7,000 cameras")
  void defaultFleet() {
    Fleet fleet = FleetExpander.expand(seeds);
    assertThat(fleet.size()).isGreaterThanOrEqualTo(20_000);
    assertThat(fleet.count("DP", "camera")).isEqualTo(7_000);
    assertThat(fleet.countByDistrict()).hasSize(11);
    assertThat(fleet.devices()).extracting(Device::id).doesNotHaveDuplicates();
    assertThat(fleet.devices().get(0).id()).isEqualTo("FT-AQ-00001");
  }

  @Test
  @DisplayName("--scale 5 grows the city past 100,000 devices")
  void scaledFleet() {
    Fleet fleet = FleetExpander.expand(seeds, 5, FleetExpander.DEFAULT_SEED);
    assertThat(fleet.size()).isGreaterThanOrEqualTo(100_000);
    assertThat(fleet.count("DP", "camera")).isEqualTo(35_000);
    assertThat(fleet.devices()).extracting(Device::id).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName(
      "expansion is deterministic: same seed same fleet; another seed moves devices but keeps ids")
  void deterministicExpansion() {
    Fleet first = FleetExpander.expand(seeds, 1, 7);
    Fleet second = FleetExpander.expand(SeedLoader.load(), 1, 7);
    Fleet other = FleetExpander.expand(seeds, 1, 8);
    assertThat(second.devices()).isEqualTo(first.devices());
    assertThat(other.devices())
        .extracting(Device::id)
        .isEqualTo(first.devices().stream().map(Device::id).toList());
    assertThat(other.devices().get(0).lat()).isNotEqualTo(first.devices().get(0).lat());
  }

  @Test
  @DisplayName("device ids do not depend on the JVM's locale: every process agrees on identity")
  void localeIndependentIds() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("ar-EG"));
      Fleet fleet = FleetExpander.expand(seeds);
      assertThat(fleet.devices().get(0).id()).isEqualTo("FT-AQ-00001");
      assertThat(fleet.devices())
          .filteredOn(d -> d.gatewayId() != null)
          .first()
          .extracting(Device::gatewayId)
          .isEqualTo("FT-GW-001");
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  @DisplayName("devices sit near their district: within three radii of its centroid")
  void devicesNearTheirDistrict() {
    Fleet fleet = FleetExpander.expand(seeds);
    for (Device device : fleet.devices()) {
      District district = seeds.district(device.district()).orElseThrow();
      double dyKm = (device.lat() - district.lat()) * 110.574;
      double dxKm =
          (device.lon() - district.lon()) * 111.320 * Math.cos(Math.toRadians(district.lat()));
      assertThat(Math.hypot(dxKm, dyKm)).as(device.id()).isLessThan(3 * district.radiusKm());
    }
  }

  @Test
  @DisplayName("cameras are grouped behind gateways of the template's size; sensors have none")
  void gateways() {
    Fleet fleet = FleetExpander.expand(seeds);
    assertThat(fleet.devices())
        .filteredOn(d -> d.id().equals("DP-CAM-00500"))
        .extracting(Device::gatewayId)
        .containsExactly("DP-GW-001");
    assertThat(fleet.devices())
        .filteredOn(d -> d.id().equals("DP-CAM-00501"))
        .extracting(Device::gatewayId)
        .containsExactly("DP-GW-002");
    assertThat(fleet.devices())
        .filteredOn(d -> d.deviceClass() == DeviceClass.SENSOR)
        .allMatch(d -> d.gatewayId() == null);
  }

  @Test
  @DisplayName("alert rules have hysteresis on the right side and debounce of at least one window")
  void alertRuleSemantics() {
    AlertRule slow =
        seeds.alertRules().stream()
            .filter(r -> r.id().equals("traffic_slow"))
            .findFirst()
            .orElseThrow();
    assertThat(slow.raises(10)).isTrue();
    assertThat(slow.clears(20)).isFalse();
    assertThat(slow.clears(30)).isTrue();
  }
}
