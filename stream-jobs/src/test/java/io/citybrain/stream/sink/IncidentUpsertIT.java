package io.citybrain.stream.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import io.citybrain.storage.RegistrySync;
import io.citybrain.storage.Schema;
import io.citybrain.stream.incident.EvidenceItem;
import io.citybrain.stream.incident.IncidentEvent;
import io.citybrain.stream.incident.IncidentGate;
import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The incident sink's statement on real PostgreSQL: a widening of a stored incident unions its
 * alert ids and evidence, is idempotent and order-independent, leaves the people's columns alone
 * and makes no webhook event.
 */
@ExtendWith(CityServicesExtension.class)
class IncidentUpsertIT {
  private static final long T0 = 1_700_000_000_000L;
  private static DataSource ds;

  @BeforeAll
  static void schema(TestServices services) throws Exception {
    ds = services.dataSource();
    Schema.migrate(ds);
    CitySeeds seeds = SeedLoader.load();
    RegistrySync.sync(ds, seeds, FleetExpander.expand(seeds));
  }

  /** A storm incident (or widening) linking the given alerts, one evidence item each. */
  private static IncidentEvent storm(String id, int revision, String... alerts) {
    IncidentEvent e = new IncidentEvent();
    e.incidentId = id;
    e.patternId = "alert_storm";
    e.district = "DP";
    e.severity = "high";
    e.startedAtMs = T0;
    e.detectedAtMs = T0 + 240_000;
    e.summary = "Many alerts in one district in DP: 5× noise_high";
    e.responsePlanId = "district_coordination";
    e.revision = revision;
    for (String a : alerts) {
      e.alertIds.add(a);
      EvidenceItem item = new EvidenceItem();
      item.kind = "alert";
      item.what = "noise_high";
      item.timeMs = T0 + Long.parseLong(a.substring(1)) * 10_000;
      item.value = 80 + Long.parseLong(a.substring(1));
      e.evidence.add(item);
    }
    return e;
  }

  private static void write(IncidentEvent... rows) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(ResultTables.INCIDENT)) {
      for (IncidentEvent e : rows) {
        ResultTables.bindIncident(ps, e);
        ps.executeUpdate();
      }
    }
  }

  private static Map<String, String> row(String id) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                """
                SELECT alert_ids::text, evidence::text, state, acknowledged_by, acknowledged_at::text,
                       resolved_by, resolved_at::text, closed_by, closed_at::text, summary, detected_at::text,
                       jsonb_array_length(evidence)
                FROM incident WHERE incident_id = ?""")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("incident %s stored", id).isTrue();
        Map<String, String> row = new TreeMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
        }
        return row;
      }
    }
  }

  private static Map<String, Long> events(String id) throws SQLException {
    Map<String, Long> counts = new TreeMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT type, count(*) FROM notification_event WHERE item_id = ? GROUP BY type")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return counts;
  }

  private static void people(String sql, String id) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, id);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName(
      "Widenings union the alert ids sorted, replays change nothing, people's columns and events untouched")
  void widens() throws Exception {
    String id = "alert_storm:DP:widens";
    write(storm(id, 0, "a4", "a0", "a3", "a1", "a2"));
    assertThat(row(id).get("alert_ids"))
        .as("as detected, match order")
        .isEqualTo("{a4,a0,a3,a1,a2}");
    assertThat(events(id)).containsExactly(Map.entry("incident.opened", 1L));
    people(
        "UPDATE incident SET state = 'acknowledged', acknowledged_by = 'op-7', acknowledged_at = now()"
            + " WHERE incident_id = ?",
        id);
    Map<String, String> acknowledged = row(id);

    write(storm(id, 1, "a0", "a1", "a2", "a3", "a4", "a5"));
    write(storm(id, 2, "a0", "a1", "a2", "a3", "a4", "a5", "a6"));
    Map<String, String> widened = row(id);
    assertThat(widened.get("alert_ids")).isEqualTo("{a0,a1,a2,a3,a4,a5,a6}");
    assertThat(widened.get("jsonb_array_length")).isEqualTo("7");
    for (String own :
        List.of(
            "state",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_by",
            "resolved_at",
            "closed_by",
            "closed_at",
            "summary",
            "detected_at")) {
      assertThat(widened.get(own)).as(own).isEqualTo(acknowledged.get(own));
    }
    assertThat(widened.get("state")).isEqualTo("acknowledged");

    // A replay after a restore: the insert and the widenings again, in another order.
    write(
        storm(id, 2, "a0", "a1", "a2", "a3", "a4", "a5", "a6"),
        storm(id, 0, "a4", "a0", "a3", "a1", "a2"),
        storm(id, 1, "a0", "a1", "a2", "a3", "a4", "a5"));
    assertThat(row(id)).isEqualTo(widened);

    // Closed by people, then widened once more: still no second opening, one closing.
    people(
        "UPDATE incident SET state = 'closed', closed_by = 'op-7', closed_at = now()"
            + " WHERE incident_id = ?",
        id);
    write(storm(id, 3, "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"));
    Map<String, String> closed = row(id);
    assertThat(closed.get("state")).isEqualTo("closed");
    assertThat(closed.get("closed_by")).isEqualTo("op-7");
    assertThat(closed.get("alert_ids")).isEqualTo("{a0,a1,a2,a3,a4,a5,a6,a7}");
    assertThat(events(id))
        .containsExactly(Map.entry("incident.closed", 1L), Map.entry("incident.opened", 1L));
  }

  @Test
  @DisplayName("The stored union is the same whatever order the rows arrive in")
  void orderIndependent() throws Exception {
    List<IncidentEvent> rows =
        List.of(
            storm("x", 0, "a9", "a3", "a1"),
            storm("x", 1, "a1", "a3", "a7", "a9"),
            storm("x", 1, "a1", "a2", "a3", "a9"),
            storm("x", 2, "a1", "a2", "a3", "a5", "a7", "a9"));
    String a = "alert_storm:DP:order-a";
    String b = "alert_storm:DP:order-b";
    List<IncidentEvent> reversed = new ArrayList<>(rows);
    Collections.reverse(reversed);
    for (IncidentEvent e : rows) {
      e.incidentId = a;
      write(e);
    }
    for (IncidentEvent e : reversed) {
      e.incidentId = b;
      write(e);
    }
    Map<String, String> first = row(a);
    assertThat(first.get("alert_ids")).isEqualTo("{a1,a2,a3,a5,a7,a9}");
    assertThat(row(b).get("alert_ids")).isEqualTo(first.get("alert_ids"));
    assertThat(row(b).get("evidence")).isEqualTo(first.get("evidence"));
  }

  @Test
  @DisplayName("Stored evidence keeps the oldest items up to the gate's cap")
  void evidenceCapped() throws Exception {
    String id = "alert_storm:DP:capped";
    write(storm(id, 0, "a10", "a11", "a12"));
    List<String> many = new ArrayList<>();
    for (int i = 10; i < 10 + 2 * IncidentGate.EVIDENCE_CAP; i++) {
      many.add("a" + i);
    }
    write(storm(id, 1, many.toArray(String[]::new)));
    Map<String, String> r = row(id);
    assertThat(r.get("jsonb_array_length")).isEqualTo(String.valueOf(IncidentGate.EVIDENCE_CAP));
    assertThat(r.get("alert_ids").split(",")).hasSize(2 * IncidentGate.EVIDENCE_CAP);
    // The oldest first: a10's event time leads, a59's (the 50th) ends.
    assertThat(r.get("evidence")).startsWith("[{").contains("\"value\": 90");
    assertThat(r.get("evidence")).doesNotContain("\"value\": 140");
  }
}
