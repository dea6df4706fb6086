package io.citybrain.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.citybrain.ingest.sink.DeadLetterWriter;
import io.citybrain.ingest.sink.RawTelemetryWriter;
import io.citybrain.ingest.sink.WriteCounts;
import io.citybrain.ingest.validate.KnownDevice;
import io.citybrain.ingest.validate.RejectReason;
import io.citybrain.ingest.validate.Rejection;
import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Position;
import io.citybrain.proto.v1.Reading;
import io.citybrain.storage.Schema;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The raw writers against real PostgreSQL: a replayed batch stores nothing twice, and says so; dead
 * letters keep bytes.
 */
@ExtendWith(CityServicesExtension.class)
class RawWritersIT {
  private static final long T0 = 1_790_000_000_000L;
  private static DataSource db;

  @BeforeAll
  static void schema(TestServices services) {
    db = services.dataSource();
    Schema.migrate(db);
  }

  @Test
  @DisplayName(
      "a replayed batch adds no rows; stored and duplicate counts per district add up to what was sent")
  void idempotentWrites() throws Exception {
    List<TelemetryItem> batch = new ArrayList<>();
    for (int i = 1; i <= 1_000; i++) {
      batch.add(
          item(
              i % 2 == 0 ? "DP" : "FT",
              Reading.newBuilder()
                  .setDeviceId((i % 2 == 0 ? "DP" : "FT") + "-RG-00001")
                  .setSeq(i)
                  .setEventTimeMs(T0 + i)
                  .setMetric("rainfall_mm_h")
                  .setValue(i / 10.0)
                  .build()));
    }
    batch.add(
        item(
            "DP",
            CameraEvent.newBuilder()
                .setCameraId("DP-CAM-00001")
                .setSeq(1)
                .setEventTimeMs(T0)
                .setEventType("road, \"flooding\"\nreported")
                .setConfidence(0.9f)
                .setObjectCount(1)
                .setPosition(Position.newBuilder().setLat(22.59).setLon(114.48))
                .build()));
    batch.add(
        item(
            "DP",
            Heartbeat.newBuilder()
                .setDeviceId("DP-PMP-00001")
                .setSeq(7)
                .setEventTimeMs(T0)
                .setBatteryPct(87.5f)
                .setFirmware("2.4.\"1\"")
                .build()));
    // The same reading twice inside one batch, as a duplicate publish delivers it.
    batch.add(batch.get(0));

    RawTelemetryWriter writer = new RawTelemetryWriter();
    WriteCounts first;
    WriteCounts replay;
    try (Connection c = db.getConnection()) {
      first = writer.write(c, batch);
      replay = writer.write(c, batch);
    }
    assertThat(first.stored()).isEqualTo(1_002);
    assertThat(first.duplicates()).isEqualTo(1);
    assertThat(
            first.stored("DP")
                + first.duplicates("DP")
                + first.stored("FT")
                + first.duplicates("FT"))
        .isEqualTo(batch.size());
    assertThat(replay.stored()).isZero();
    assertThat(replay.duplicates()).isEqualTo(batch.size());
    assertThat(query("SELECT count(*) FROM reading")).isEqualTo("1000");
    assertThat(query("SELECT event_type FROM camera_event"))
        .isEqualTo("road, \"flooding\"\nreported");
    assertThat(query("SELECT firmware || ' ' || battery_pct FROM heartbeat"))
        .isEqualTo("2.4.\"1\" 87.5");
    assertThat(
            query(
                "SELECT extract(epoch FROM event_time) * 1000 FROM reading WHERE device_id = 'FT-RG-00001' "
                    + "AND seq = 1"))
        .startsWith(Long.toString(T0 + 1));
  }

  @Test
  @DisplayName("dead letters keep the topic, the reason, the detail and the exact bytes")
  void deadLetters() throws Exception {
    byte[] garbage = {0x0F, (byte) 0xFF, 0, 42};
    try (Connection c = db.getConnection()) {
      int written =
          new DeadLetterWriter()
              .write(
                  c,
                  List.of(
                      new Rejection(
                          "city/v1/DP/reading/DP-RG-00001",
                          "DP",
                          RejectReason.UNDECODABLE,
                          "not a reading",
                          garbage)))
              .size();
      assertThat(written).isEqualTo(1);
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT topic, district, reason, detail, payload FROM dead_letter")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("city/v1/DP/reading/DP-RG-00001");
        assertThat(rs.getString(2)).isEqualTo("DP");
        assertThat(rs.getString(3)).isEqualTo("undecodable");
        assertThat(rs.getString(4)).isEqualTo("not a reading");
        assertThat(rs.getBytes(5)).isEqualTo(garbage);
      }
    }
  }

  @Test
  @DisplayName(
      "late rows are stored marked late and counted late; a replay with a new decision updates the flag only")
  void lateFlag() throws Exception {
    TelemetryItem onTime =
        item(
            "DP",
            Reading.newBuilder()
                .setDeviceId("DP-WL-00001")
                .setSeq(1)
                .setEventTimeMs(T0)
                .setMetric("water_level_pct")
                .setValue(50)
                .build());
    TelemetryItem late =
        item(
            "DP",
            Reading.newBuilder()
                .setDeviceId("DP-WL-00001")
                .setSeq(2)
                .setEventTimeMs(T0 + 1)
                .setMetric("water_level_pct")
                .setValue(51)
                .build());
    late.late = true;
    RawTelemetryWriter writer = new RawTelemetryWriter();
    WriteCounts first;
    WriteCounts replay;
    try (Connection c = db.getConnection()) {
      first = writer.write(c, List.of(onTime, late, late));
      late.late = false;
      replay = writer.write(c, List.of(late));
    }
    assertThat(first.stored("DP")).isEqualTo(1);
    assertThat(first.late("DP")).isEqualTo(1);
    assertThat(first.duplicates("DP")).isEqualTo(1);
    assertThat(replay.stored()).isZero();
    assertThat(replay.late()).isZero();
    assertThat(replay.duplicates()).isEqualTo(1);
    assertThat(
            query(
                "SELECT string_agg(seq || ':' || late, ',' ORDER BY seq) FROM reading WHERE device_id = "
                    + "'DP-WL-00001'"))
        .isEqualTo("1:false,2:false");
  }

  private static String query(String sql) throws Exception {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** A validated item as the validator makes it, for a device known by district only. */
  static TelemetryItem item(String district, Message m) {
    return TelemetryItem.of(district, m, new KnownDevice("", district, ""));
  }
}
