package io.citybrain.app.kill;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.CitySummary;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Incident;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * What one run of the kill input produced, in comparable text: every picture published (district
 * and city, keyed by where and which window end, without the wall-clock generation time; a replay
 * after a restore may publish a window again, so each key keeps every distinct version seen), the
 * alerts and incidents published, and the stored alerts, incidents, latest pictures and 1 min
 * metrics.
 */
record RunOutcome(
    Map<String, Set<String>> pictures,
    Set<String> publishedAlerts,
    Set<String> publishedIncidents,
    List<String> storedAlerts,
    List<String> storedIncidents,
    List<String> storedPictures,
    List<String> storedMetrics) {

  static RunOutcome collect(List<ResultWatcher.Received> received, DataSource db)
      throws SQLException {
    Map<String, Set<String>> pictures = new TreeMap<>();
    Set<String> alerts = new TreeSet<>();
    Set<String> incidents = new TreeSet<>();
    for (ResultWatcher.Received r : received) {
      try {
        if (r.topic().equals("city/v1/city/live")) {
          CitySummary c = CitySummary.parseFrom(r.payload());
          pictures
              .computeIfAbsent("city@" + c.getWindowEndMs(), k -> new TreeSet<>())
              .add(text(c.toBuilder().clearGeneratedAtMs().build()));
        } else if (r.topic().endsWith("/live")) {
          DistrictSnapshot s = DistrictSnapshot.parseFrom(r.payload());
          pictures
              .computeIfAbsent(s.getDistrict() + "@" + s.getWindowEndMs(), k -> new TreeSet<>())
              .add(text(s.toBuilder().clearGeneratedAtMs().build()));
        } else if (r.topic().endsWith("/alert")) {
          alerts.add(text(Alert.parseFrom(r.payload())));
        } else if (r.topic().endsWith("/incident")) {
          incidents.add(text(Incident.parseFrom(r.payload())));
        }
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("undecodable result on " + r.topic(), e);
      }
    }
    return new RunOutcome(
        pictures,
        alerts,
        incidents,
        Exactness.strings(
            db,
            "SELECT concat_ws(' ', alert_id, rule_id, district, metric, severity, state, value, threshold,"
                + " raised_at, cleared_at, clear_value) FROM alert ORDER BY 1"),
        Exactness.strings(
            db,
            "SELECT concat_ws(' ', incident_id, pattern_id, district, severity, state, started_at,"
                + " detected_at, summary, evidence::text, response_plan_id, alert_ids::text) FROM incident"
                + " ORDER BY 1"),
        Exactness.strings(
            db,
            "SELECT concat_ws(' ', district, window_end, situation_index, online_rate,"
                + " (snapshot - 'generated_at')::text) FROM district_snapshot ORDER BY 1"),
        Exactness.strings(
            db,
            "SELECT concat_ws(' ', district, metric, window_start, count, min, max, sum, mean, p95)"
                + " FROM district_metric WHERE resolution_s = 60 ORDER BY 1"));
  }

  /** Pictures published in more than one version for the same window: a replay that differed. */
  Map<String, Set<String>> inconsistentPictures() {
    Map<String, Set<String>> differing = new TreeMap<>();
    pictures.forEach(
        (key, versions) -> {
          if (versions.size() > 1) {
            differing.put(key, versions);
          }
        });
    return differing;
  }

  /**
   * The keys of the pictures whose versions here differ from the reference's, or that one run has
   * and the other not; empty when every picture equals the reference's.
   */
  List<String> pictureDifferences(RunOutcome reference) {
    List<String> keys = new ArrayList<>();
    Set<String> all = new TreeSet<>(pictures.keySet());
    all.addAll(reference.pictures.keySet());
    for (String key : all) {
      if (!reference.pictures.getOrDefault(key, Set.of()).equals(pictures.get(key))) {
        keys.add(key);
      }
    }
    return keys;
  }

  private static String text(com.google.protobuf.MessageOrBuilder message) {
    return TextFormat.printer().emittingSingleLine(true).printToString(message);
  }
}
