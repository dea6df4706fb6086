package io.citybrain.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.citybrain.proto.ResultJson;
import io.citybrain.proto.v1.CitySummary;
import io.citybrain.proto.v1.DistrictBrief;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Evidence;
import io.citybrain.proto.v1.MetricStats;
import io.citybrain.proto.v1.Position;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.storage.migration.V2__TimescaleFeatures;
import io.citybrain.storage.migration.V6__ResultJsonRendering;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * V6 rewrites what an earlier job stored in protobuf's own JSON into the rendering the API serves,
 * and leaves rows already in it alone.
 */
@ExtendWith(CityServicesExtension.class)
class ResultRenderingMigrationIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("stored pictures and evidence in protobuf JSON read as the live rendering after V6")
  void rewritesProtobufJson(TestServices services) throws Exception {
    DataSource db = services.dataSource();
    Flyway.configure()
        .dataSource(db)
        .locations("classpath:db/migration")
        .javaMigrations(new V2__TimescaleFeatures(), new V6__ResultJsonRendering())
        .target("5")
        .load()
        .migrate();
    var seeds = SeedLoader.load();
    RegistrySync.sync(db, seeds, FleetExpander.expand(seeds));
    DistrictSnapshot snapshot =
        DistrictSnapshot.newBuilder()
            .setDistrict("FT")
            .setWindowStartMs(1_796_117_160_000L)
            .setWindowEndMs(1_796_117_170_000L)
            .setDevicesOnline(1365)
            .setDevicesTotal(1365)
            .setOnlineRate(1.0)
            .setSituationIndex(97.75)
            .putSubIndices("traffic", 92.2)
            .addMetrics(
                MetricStats.newBuilder().setMetric("pm25").setCount(7).setMin(35.7).setMax(44.8))
            .putCameraEventsByType("illegal_parking", 4)
            .build();
    CitySummary summary =
        CitySummary.newBuilder()
            .setWindowEndMs(1_796_117_170_000L)
            .setDevicesTotal(20_620)
            .addDistricts(DistrictBrief.newBuilder().setDistrict("FT").setSituationIndex(97.75))
            .build();
    Evidence evidence =
        Evidence.newBuilder()
            .setDeviceId("FT-CAM-0001")
            .setSeq(12)
            .setEventTimeMs(1_796_117_165_000L)
            .setKind("camera")
            .setWhat("road_flooding")
            .setValue(1)
            .setPosition(Position.newBuilder().setLat(22.52).setLon(114.05))
            .build();
    String rendered = ResultJson.encode(ResultJson.evidence(List.of(evidence)));
    try (Connection c = db.getConnection()) {
      insert(
          c,
          "INSERT INTO district_snapshot (district, window_end, situation_index, online_rate,"
              + " snapshot) VALUES ('FT', now(), 97.75, 1, ?::jsonb)",
          proto(snapshot));
      insert(
          c,
          "INSERT INTO city_summary (id, window_end, situation_index, online_rate, summary)"
              + " VALUES (1, now(), 97.75, 1, ?::jsonb)",
          proto(summary));
      insert(
          c,
          "INSERT INTO incident (incident_id, pattern_id, district, severity, started_at,"
              + " detected_at, summary, evidence) VALUES ('i-1', 'flood', 'FT', 'high', now(), now(),"
              + " 'a flood', ?::jsonb)",
          "[" + proto(evidence) + "]");
      insert(
          c,
          "INSERT INTO incident (incident_id, pattern_id, district, severity, started_at,"
              + " detected_at, summary, evidence) VALUES ('i-2', 'flood', 'FT', 'high', now(), now(),"
              + " 'a flood', ?::jsonb)",
          rendered);
    }

    // V6 and every later migration (V7 and on): the count grows as migrations are added.
    assertThat(Schema.migrate(db).applied()).isGreaterThanOrEqualTo(1);

    assertThat(stored(db, "SELECT snapshot FROM district_snapshot"))
        .isEqualTo(JSON.readTree(ResultJson.encode(ResultJson.snapshot(snapshot))));
    assertThat(stored(db, "SELECT summary FROM city_summary"))
        .isEqualTo(JSON.readTree(ResultJson.encode(ResultJson.citySummary(summary))));
    JsonNode expected = JSON.readTree(rendered);
    assertThat(stored(db, "SELECT evidence FROM incident WHERE incident_id = 'i-1'"))
        .isEqualTo(expected);
    assertThat(stored(db, "SELECT evidence FROM incident WHERE incident_id = 'i-2'"))
        .isEqualTo(expected);
    assertThat(expected.get(0).get("device_id").asText()).isEqualTo("FT-CAM-0001");
    assertThat(expected.get(0).get("lat").asDouble()).isEqualTo(22.52);
  }

  private static String proto(MessageOrBuilder message) throws Exception {
    return JsonFormat.printer().omittingInsignificantWhitespace().print(message);
  }

  private static void insert(Connection c, String sql, String json) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, json);
      ps.executeUpdate();
    }
  }

  private static JsonNode stored(DataSource db, String sql) throws Exception {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return JSON.readTree(rs.getString(1));
    }
  }
}
