package io.citybrain.app;

import io.citybrain.access.Principal;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.stream.CityJobConfig;
import io.citybrain.testkit.RetainedTopics;
import io.citybrain.testkit.TestServices;
import java.time.Duration;

/**
 * The shipped city on a test class's database and broker, as the whole-chain tests start from it:
 * schema and registry in place, no live picture retained, and a stream job configured for a
 * simulator in time-lapse.
 */
final class CityUnderTest {
  final CitySeeds seeds = SeedLoader.load();
  final TestServices services;

  CityUnderTest(TestServices services) {
    this.services = services;
    Schema.migrate(services.dataSource());
    RegistrySync.sync(services.dataSource(), seeds, FleetExpander.expand(seeds));
    RetainedTopics.clearLive(services.mqttUrl(), seeds.districtCodes());
  }

  /**
   * The job for this city, checkpointing every second; event-time bounds for a time-lapse of up to
   * 30x, where a second of wall-clock delay is 30 s of event time.
   */
  CityJobConfig job(String clientIdPrefix) {
    return CityJobConfig.builder()
        .mqttUrl(services.mqttUrl())
        .mqttLogin(services.login(Principal.job()))
        .jdbcUrl(services.jdbcUrl())
        .districts(seeds.districtCodes())
        .clientIdPrefix(services.uniqueId(clientIdPrefix))
        .sessionExpiry(Duration.ofMinutes(5))
        .checkpointInterval(Duration.ofSeconds(1))
        .outOfOrderness(Duration.ofSeconds(10))
        .allowedLateness(Duration.ofSeconds(120))
        .build();
  }
}
