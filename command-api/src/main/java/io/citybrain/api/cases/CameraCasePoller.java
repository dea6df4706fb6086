package io.citybrain.api.cases;

import io.citybrain.api.db.Db;
import io.citybrain.api.db.Rows;
import io.citybrain.seeds.CameraEventType;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.Geo;
import io.citybrain.seeds.GridCaseCategory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Opens grid cases from camera detections of governance types (creates_case in seeds), merging a
 * detection into an open case of the same type in the same district seen within the merge window
 * and distance.
 *
 * <p>Why poll the camera_event table rather than subscribe to the camera topics: the ingest
 * pipeline has already validated, deduplicated and stored those rows (at-least-once from the
 * broker, effectively-once in the table), the table survives an API restart (a subscription would
 * miss what arrived while the API was down), and the API stays out of the 7,000-camera message
 * stream. Polling reads by received_at with an overlap behind the watermark, because a long ingest
 * transaction commits rows stamped before the watermark; grid_case_detection makes a second look at
 * a row a no-op.
 */
public final class CameraCasePoller {
  static final String WATERMARK = "camera_cases";

  /**
   * How far behind the watermark each poll looks again: longer than an ingest transaction stays
   * open.
   */
  static final Duration OVERLAP = Duration.ofSeconds(30);

  static final int BATCH = 5_000;
  private final Db db;
  private final Map<String, CameraEventType> caseTypes;
  private final Map<String, Integer> slaHours;
  private final Map<String, String> departments;
  private final Duration mergeWindow;
  private final double mergeDistanceM;
  private final double minConfidence;

  public CameraCasePoller(
      CitySeeds seeds, Db db, Duration mergeWindow, double mergeDistanceM, double minConfidence) {
    this.db = db;
    this.caseTypes =
        seeds.cameraEventTypes().stream()
            .filter(t -> Boolean.TRUE.equals(t.createsCase()))
            .collect(Collectors.toMap(CameraEventType::id, t -> t));
    this.slaHours = new HashMap<>();
    this.departments = new HashMap<>();
    for (GridCaseCategory category : seeds.gridCaseCategories()) {
      for (GridCaseCategory.Subtype subtype : category.subtypes()) {
        slaHours.put(subtype.id(), subtype.slaHours());
        departments.put(subtype.id(), subtype.department());
      }
    }
    this.mergeWindow = mergeWindow;
    this.mergeDistanceM = mergeDistanceM;
    this.minConfidence = minConfidence;
  }

  /** One poll: the cases it created or merged into, as change events. */
  public Future<List<JsonObject>> poll() {
    return db.orderedTransaction(this::pollNow);
  }

  private int batch = BATCH;

  List<JsonObject> pollNow(Connection c) throws SQLException {
    Instant watermark = watermark(c);
    List<JsonObject> changes = new ArrayList<>();
    Instant newest = watermark;
    int read = 0;
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT device_id, seq, event_time, district, event_type, confidence, lat, lon, received_at
        FROM camera_event WHERE received_at > ? AND event_type = ANY (?) AND event_time > ?
        ORDER BY received_at, device_id, seq LIMIT ?"""),
                watermark.minus(OVERLAP),
                c.createArrayOf("text", caseTypes.keySet().toArray()),
                // Detections a day older than what was read are no case any more; the bound keeps
                // old chunks unread.
                watermark.minus(Duration.ofDays(1)),
                batch);
        ResultSet rs = ps.executeQuery()) {
      List<Detection> detections = new ArrayList<>();
      while (rs.next()) {
        detections.add(
            new Detection(
                rs.getString(1),
                rs.getLong(2),
                rs.getTimestamp(3).toInstant(),
                rs.getString(4),
                rs.getString(5),
                rs.getDouble(6),
                (Double) rs.getObject(7),
                (Double) rs.getObject(8),
                rs.getTimestamp(9).toInstant()));
      }
      read = detections.size();
      for (Detection d : detections) {
        if (d.receivedAt.isAfter(newest)) {
          newest = d.receivedAt;
        }
        JsonObject change = take(c, d);
        if (change != null) {
          changes.add(change);
        }
      }
    }
    // A full batch that ended inside the overlap (many rows stored in one transaction share a
    // received_at) would be
    // read again forever: read more next time until the watermark moves.
    batch = read == batch && !newest.isAfter(watermark) ? Math.min(batch * 2, 1_000_000) : BATCH;
    if (newest.isAfter(watermark)) {
      try (PreparedStatement ps =
          Rows.bind(
              c.prepareStatement(
                  "UPDATE api_watermark SET position = ?, updated_at = now() WHERE name = ?"),
              newest,
              WATERMARK)) {
        ps.executeUpdate();
      }
    }
    return changes;
  }

  /**
   * A detection seen for the first time opens or joins a case; a repeat of a known one does
   * nothing.
   */
  private JsonObject take(Connection c, Detection d) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        INSERT INTO grid_case_detection (device_id, seq, event_time) VALUES (?, ?, ?)
        ON CONFLICT DO NOTHING"""),
            d.deviceId,
            d.seq,
            d.eventTime)) {
      if (ps.executeUpdate() == 0 || d.confidence < minConfidence) {
        return null;
      }
    }
    CameraEventType type = caseTypes.get(d.eventType);
    String caseId = mergeTarget(c, d);
    String change;
    if (caseId != null) {
      try (PreparedStatement ps =
          Rows.bind(
              c.prepareStatement(
                  """
          UPDATE grid_case SET detections = detections + 1, last_detected_at = greatest(last_detected_at, ?)
          WHERE case_id = ?"""),
              d.eventTime,
              caseId)) {
        ps.executeUpdate();
      }
      change = "merged";
    } else {
      caseId =
          CaseStore.create(
              c,
              new CaseStore.NewCase(
                  d.district,
                  type.category(),
                  type.subtype(),
                  departments.get(type.subtype()),
                  slaHours.get(type.subtype()),
                  "camera",
                  d.lat,
                  d.lon,
                  type.nameEn() + " seen by " + d.deviceId,
                  d.eventType,
                  null,
                  d.eventTime),
              "camera:" + d.deviceId);
      change = "created";
    }
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        UPDATE grid_case_detection SET case_id = ? WHERE device_id = ? AND seq = ? AND event_time = ?"""),
            caseId,
            d.deviceId,
            d.seq,
            d.eventTime)) {
      ps.executeUpdate();
    }
    JsonObject event = CaseStore.get(c, caseId).orElseThrow().put("change", change);
    event.remove("history");
    return event;
  }

  /**
   * The nearest open case of the same type and district, detected within the window and distance;
   * or null.
   */
  private String mergeTarget(Connection c, Detection d) throws SQLException {
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement(
                    """
        SELECT case_id, lat, lon FROM grid_case
        WHERE district = ? AND event_type = ? AND state NOT IN %s
          AND last_detected_at >= ? AND created_at <= ?
        ORDER BY last_detected_at DESC LIMIT 50"""
                        .formatted(CaseWorkflow.sqlList(CaseWorkflow.RESOLVED_STATES))),
                d.district,
                d.eventType,
                d.eventTime.minus(mergeWindow),
                d.eventTime.plus(mergeWindow));
        ResultSet rs = ps.executeQuery()) {
      String best = null;
      double bestDistance = Double.MAX_VALUE;
      while (rs.next()) {
        Double lat = (Double) rs.getObject(2);
        Double lon = (Double) rs.getObject(3);
        if (lat == null || lon == null || d.lat == null || d.lon == null) {
          continue;
        }
        double distance = Geo.distanceM(d.lat, d.lon, lat, lon);
        if (distance <= mergeDistanceM && distance < bestDistance) {
          best = rs.getString(1);
          bestDistance = distance;
        }
      }
      return best;
    }
  }

  /** Where the last poll got to; the first poll starts one merge window before now. */
  private Instant watermark(Connection c) throws SQLException {
    try (PreparedStatement ps =
        Rows.bind(
            c.prepareStatement(
                """
        INSERT INTO api_watermark (name, position) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"""),
            WATERMARK,
            Instant.now().minus(mergeWindow))) {
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
            Rows.bind(
                c.prepareStatement("SELECT position FROM api_watermark WHERE name = ? FOR UPDATE"),
                WATERMARK);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      Timestamp position = rs.getTimestamp(1);
      return position.toInstant();
    }
  }

  private record Detection(
      String deviceId,
      long seq,
      Instant eventTime,
      String district,
      String eventType,
      double confidence,
      Double lat,
      Double lon,
      Instant receivedAt) {}
}
