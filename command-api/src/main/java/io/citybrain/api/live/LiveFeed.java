package io.citybrain.api.live;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.api.live.LiveDrops.Reason;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.ResultJson;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Incident;
import io.citybrain.settings.LogText;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * The stream job's result topics (live, alert, incident) into the hub. Paho's callback thread only
 * hands the bytes to the API's event loop, where they are checked ({@link ResultGate}: size before
 * parsing, known district, the topic's own district, snapshots neither stale nor from the future)
 * and decoded; every refusal is counted and logged by {@link LiveDrops}. The hub keeps the latest
 * snapshot per district (the retained live topic fills it at start).
 */
public final class LiveFeed {
  private final Context context;
  private final LiveHub hub;
  private final ResultGate gate;
  private final LiveDrops drops;
  private final AlertMute mute;

  /**
   * @param knownDistricts the registry's districts: results for any other are refused
   * @param clockSkew how far ahead of {@code clock} a snapshot may be dated
   */
  public LiveFeed(
      Context context,
      LiveHub hub,
      Set<String> knownDistricts,
      Duration clockSkew,
      Clock clock,
      LiveDrops drops) {
    this(context, hub, knownDistricts, clockSkew, clock, drops, AlertMute.NONE);
  }

  /**
   * @param mute the raises not to push (stored muted by the database, shown in alert lists only)
   */
  public LiveFeed(
      Context context,
      LiveHub hub,
      Set<String> knownDistricts,
      Duration clockSkew,
      Clock clock,
      LiveDrops drops,
      AlertMute mute) {
    this.context = context;
    this.hub = hub;
    this.gate = new ResultGate(knownDistricts, clockSkew, clock);
    this.drops = drops;
    this.mute = mute;
  }

  public void subscribe(MqttConnection mqtt) {
    mqtt.subscribe(
        Topics.filter(MessageClass.LIVE, Topics.ANY),
        1,
        (topic, payload) -> context.runOnContext(v -> onSnapshot(topic, payload)));
    mqtt.subscribe(
        Topics.filter(MessageClass.ALERT, Topics.ANY),
        1,
        (topic, payload) -> context.runOnContext(v -> onAlert(topic, payload)));
    mqtt.subscribe(
        Topics.filter(MessageClass.INCIDENT, Topics.ANY),
        1,
        (topic, payload) -> context.runOnContext(v -> onIncident(topic, payload)));
  }

  private void onSnapshot(String topic, byte[] payload) {
    String district = districtOf(topic, MessageClass.LIVE);
    if (district == null) {
      // The city summary's topic matches the same filter; it is not a district's picture.
      return;
    }
    if (refusedBeforeParsing(topic, district, payload)) {
      return;
    }
    if (payload.length == 0) {
      // A zero-length retained message clears the topic: the district has no live picture now, not
      // a picture of zeros.
      gate.cleared(district);
      hub.cleared(district);
      return;
    }
    DistrictSnapshot snapshot;
    try {
      snapshot = DistrictSnapshot.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      drops.drop(Reason.MALFORMED, topic, "not a DistrictSnapshot");
      return;
    }
    Reason refused = gate.snapshot(district, snapshot);
    if (refused != null) {
      drops.drop(
          refused,
          topic,
          "district "
              + LogText.quote(snapshot.getDistrict())
              + ", window end "
              + snapshot.getWindowEndMs()
              + ", generated "
              + snapshot.getGeneratedAtMs());
      return;
    }
    try {
      hub.snapshot(district, new JsonObject(ResultJson.snapshot(snapshot)));
    } catch (IllegalArgumentException e) {
      drops.drop(Reason.MALFORMED, topic, "a snapshot the API cannot show");
    }
  }

  private void onAlert(String topic, byte[] payload) {
    String district = districtOf(topic, MessageClass.ALERT);
    if (district == null || payload.length == 0 || refusedBeforeParsing(topic, district, payload)) {
      return;
    }
    try {
      Alert alert = Alert.parseFrom(payload);
      if (acceptedDistrict(topic, district, alert.getDistrict())
          && !mute.mutes(
              district, alert.getRuleId(), Instant.ofEpochMilli(alert.getRaisedAtMs()))) {
        hub.event(district, "alert", new JsonObject(ResultJson.alert(alert)));
      }
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      drops.drop(Reason.MALFORMED, topic, "not an Alert");
    }
  }

  private void onIncident(String topic, byte[] payload) {
    String district = districtOf(topic, MessageClass.INCIDENT);
    if (district == null || payload.length == 0 || refusedBeforeParsing(topic, district, payload)) {
      return;
    }
    try {
      Incident incident = Incident.parseFrom(payload);
      if (acceptedDistrict(topic, district, incident.getDistrict())) {
        hub.event(district, "incident", new JsonObject(ResultJson.incident(incident)));
      }
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      drops.drop(Reason.MALFORMED, topic, "not an Incident");
    }
  }

  private boolean refusedBeforeParsing(String topic, String district, byte[] payload) {
    Reason refused = gate.beforeParsing(district, payload.length);
    if (refused != null) {
      drops.drop(refused, topic, payload.length + " bytes");
      return true;
    }
    return false;
  }

  private boolean acceptedDistrict(String topic, String district, String payloadDistrict) {
    Reason refused = gate.district(district, payloadDistrict);
    if (refused != null) {
      drops.drop(refused, topic, "payload's district " + LogText.quote(payloadDistrict));
      return false;
    }
    return true;
  }

  /** The district of a result topic of this class, or null for any other topic. */
  private static String districtOf(String topic, MessageClass expected) {
    return Topics.parse(topic)
        .filter(a -> a.messageClass() == expected)
        .map(Topics.Address::district)
        .orElse(null);
  }
}
