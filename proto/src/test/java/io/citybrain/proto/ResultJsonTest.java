package io.citybrain.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.AlertState;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Evidence;
import io.citybrain.proto.v1.Incident;
import io.citybrain.proto.v1.Position;
import io.citybrain.proto.v1.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The results' one JSON rendering: snake_case, every field, ISO instants, words for enums. */
class ResultJsonTest {

  @Test
  @DisplayName("an empty snapshot still has every key, with zeros, empty maps and ISO instants")
  void snapshotHasEveryField() {
    Map<String, Object> json =
        ResultJson.snapshot(DistrictSnapshot.newBuilder().setDistrict("FT").build());
    assertThat(json)
        .containsOnlyKeys(
            "district",
            "window_start",
            "window_end",
            "situation_index",
            "sub_indices",
            "online_rate",
            "devices_online",
            "devices_total",
            "open_alerts",
            "open_incidents",
            "metrics",
            "camera_events_by_type",
            "camera_events_by_category",
            "generated_at");
    assertThat(json.get("devices_online")).isEqualTo(0);
    assertThat(json.get("window_end")).isEqualTo("1970-01-01T00:00:00Z");
    assertThat(ResultJson.encode(json)).contains("\"devices_total\":0").doesNotContain("Ms\"");
  }

  @Test
  @DisplayName("64-bit counts are JSON numbers and non-finite values are null")
  void numbers() {
    DistrictSnapshot s =
        DistrictSnapshot.newBuilder()
            .setDistrict("FT")
            .setSituationIndex(Double.NaN)
            .putCameraEventsByType("illegal_parking", 5_000_000_000L)
            .build();
    String json = ResultJson.encode(ResultJson.snapshot(s));
    assertThat(json)
        .contains("\"situation_index\":null")
        .contains("\"illegal_parking\":5000000000");
  }

  @Test
  @DisplayName("alerts and incidents carry the database's words for severity and state")
  void alertAndIncident() {
    Alert alert =
        Alert.newBuilder()
            .setAlertId("a")
            .setSeverity(Severity.SEVERITY_CRITICAL)
            .setState(AlertState.ALERT_STATE_CLEARED)
            .setRaisedAtMs(1000)
            .setClearedAtMs(2000)
            .build();
    assertThat(ResultJson.alert(alert))
        .containsEntry("severity", "critical")
        .containsEntry("state", "cleared")
        .containsEntry("cleared_at", "1970-01-01T00:00:02Z");
    assertThat(ResultJson.alert(alert.toBuilder().setClearedAtMs(0).build()))
        .containsEntry("cleared_at", null);
    assertThatThrownBy(() -> ResultJson.alert(Alert.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class);

    Incident incident =
        Incident.newBuilder()
            .setIncidentId("i")
            .setSeverity(Severity.SEVERITY_HIGH)
            .addEvidence(
                Evidence.newBuilder()
                    .setDeviceId("d")
                    .setEventTimeMs(3000)
                    .setPosition(Position.newBuilder().setLat(22.5).setLon(114.1)))
            .build();
    Map<String, Object> json = ResultJson.incident(incident);
    assertThat(json).containsEntry("response_plan_id", null).containsEntry("severity", "high");
    @SuppressWarnings("unchecked")
    Map<String, Object> evidence = (Map<String, Object>) ((List<?>) json.get("evidence")).get(0);
    assertThat(evidence)
        .containsEntry("device_id", "d")
        .containsEntry("event_time", "1970-01-01T00:00:03Z")
        .containsEntry("lat", 22.5)
        .containsEntry("lon", 114.1);
  }
}
