package io.citybrain.stream.situation;

import io.citybrain.stream.alert.AlertEvent;
import io.citybrain.stream.liveness.LivenessChange;
import io.citybrain.stream.metric.EventCount;
import io.citybrain.stream.metric.WindowStats;

/**
 * One thing the district picture is made of: exactly one field is set. A Flink POJO, so the streams
 * can be unioned.
 */
public class DistrictUpdate {
  public String district;
  public WindowStats stats;
  public EventCount events;
  public LivenessChange liveness;
  public AlertEvent alert;

  /** An incident was detected: its id and detection time. */
  public String incidentId;

  public long incidentAtMs;

  /**
   * The update's event time (its record timestamp), set on arrival: updates apply in event-time
   * order.
   */
  public long atMs;

  public DistrictUpdate() {}

  public static DistrictUpdate of(WindowStats stats) {
    DistrictUpdate u = new DistrictUpdate();
    u.district = stats.district;
    u.stats = stats;
    return u;
  }

  public static DistrictUpdate of(EventCount events) {
    DistrictUpdate u = new DistrictUpdate();
    u.district = events.district;
    u.events = events;
    return u;
  }

  public static DistrictUpdate of(LivenessChange change) {
    DistrictUpdate u = new DistrictUpdate();
    u.district = change.district;
    u.liveness = change;
    return u;
  }

  public static DistrictUpdate of(AlertEvent alert) {
    DistrictUpdate u = new DistrictUpdate();
    u.district = alert.district;
    u.alert = alert;
    return u;
  }

  public static DistrictUpdate incident(String district, String incidentId, long detectedAtMs) {
    DistrictUpdate u = new DistrictUpdate();
    u.district = district;
    u.incidentId = incidentId;
    u.incidentAtMs = detectedAtMs;
    return u;
  }
}
