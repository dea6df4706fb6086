package io.citybrain.stream.sink;

import io.citybrain.proto.AlertStates;
import io.citybrain.proto.Severities;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.Alert;
import io.citybrain.stream.alert.AlertEvent;
import io.citybrain.stream.incident.IncidentEvent;
import io.citybrain.stream.situation.CityRecord;
import io.citybrain.stream.situation.SituationRecord;

/**
 * One MQTT message to publish: a live snapshot or the city summary (retained), an alert or an
 * incident. A Flink POJO.
 */
public class Publication {
  public String topic;
  public byte[] payload;
  public boolean retained;

  public Publication() {}

  public static Publication of(String topic, byte[] payload, boolean retained) {
    Publication p = new Publication();
    p.topic = topic;
    p.payload = payload;
    p.retained = retained;
    return p;
  }

  /** A district's latest picture, retained: a new subscriber gets it at once. */
  public static Publication live(SituationRecord r) {
    return of(Topics.live(r.district), r.snapshot, true);
  }

  /** The city summary, retained like the districts' pictures. */
  public static Publication city(CityRecord r) {
    return of(Topics.cityLive(), r.summary, true);
  }

  public static Publication alert(AlertEvent a) {
    Alert alert =
        Alert.newBuilder()
            .setAlertId(a.alertId)
            .setRuleId(a.ruleId)
            .setDistrict(a.district)
            .setMetric(a.metric)
            .setSeverity(Severities.of(a.severity))
            .setState(AlertStates.of(a.raised))
            .setValue(a.value)
            .setThreshold(a.threshold)
            .setWindowEndMs(a.windowEndMs)
            .setRaisedAtMs(a.raisedAtMs)
            .setClearedAtMs(a.clearedAtMs)
            .build();
    return of(Topics.alert(a.district), alert.toByteArray(), false);
  }

  public static Publication incident(IncidentEvent i) {
    return of(Topics.incident(i.district), i.toProto().toByteArray(), false);
  }
}
