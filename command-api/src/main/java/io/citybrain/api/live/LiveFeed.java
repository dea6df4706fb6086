package io.citybrain.api.live;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.ResultJson;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Incident;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream job's result topics (live, alert, incident) into the hub. Paho's callback thread only
 * hands the bytes to the API's event loop, where they are decoded; the hub keeps the latest
 * snapshot per district (the retained live topic fills it at start).
 */
public final class LiveFeed {
  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
  private final Context context;
  private final LiveHub hub;
  private long malformed;

  public LiveFeed(Context context, LiveHub hub) {
    this.context = context;
    this.hub = hub;
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

  public long malformed() {
    return malformed;
  }

  private void onSnapshot(String topic, byte[] payload) {
    String district = districtOf(topic, MessageClass.LIVE);
    if (district == null) {
      // The city summary's topic matches the same filter; it is not a district's picture.
      return;
    }
    if (payload.length == 0) {
      // A zero-length retained message clears the topic: the district has no live picture now, not
      // a picture of zeros.
      hub.cleared(district);
      return;
    }
    try {
      DistrictSnapshot snapshot = DistrictSnapshot.parseFrom(payload);
      if (!district.equals(snapshot.getDistrict())) {
        // Only a district's own picture on its own topic (also keeps the hub's latest snapshots to
        // the districts that publish).
        malformed++;
        return;
      }
      hub.snapshot(district, new JsonObject(ResultJson.snapshot(snapshot)));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      malformed(topic, e);
    }
  }

  private void onAlert(String topic, byte[] payload) {
    String district = districtOf(topic, MessageClass.ALERT);
    if (payload.length == 0 || district == null) {
      return;
    }
    try {
      hub.event(district, "alert", new JsonObject(ResultJson.alert(Alert.parseFrom(payload))));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      malformed(topic, e);
    }
  }

  private void onIncident(String topic, byte[] payload) {
    String district = districtOf(topic, MessageClass.INCIDENT);
    if (payload.length == 0 || district == null) {
      return;
    }
    try {
      hub.event(
          district, "incident", new JsonObject(ResultJson.incident(Incident.parseFrom(payload))));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      malformed(topic, e);
    }
  }

  private void malformed(String topic, Exception e) {
    malformed++;
    LOG.warn("undecodable message on {}: {}", topic, e.getMessage());
  }

  /** The district of a result topic of this class, or null for any other topic. */
  private static String districtOf(String topic, MessageClass expected) {
    return Topics.parse(topic)
        .filter(a -> a.messageClass() == expected)
        .map(Topics.Address::district)
        .orElse(null);
  }
}
