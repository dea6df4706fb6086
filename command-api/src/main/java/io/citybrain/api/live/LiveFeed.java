package io.citybrain.api.live;

import com.google.protobuf.InvalidProtocolBufferException;
import io.citybrain.mqtt.MqttConnection;
import io.citybrain.proto.v1.Alert;
import io.citybrain.proto.v1.DistrictSnapshot;
import io.citybrain.proto.v1.Incident;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream job's result topics (live, alert, incident) into the hub. Paho's callback thread only
 * hands the bytes to the API's event loop, where they are decoded; the latest snapshot per district
 * is kept for the read side and for clients that subscribe later (the retained live topic fills it
 * at start).
 */
public final class LiveFeed {
  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
  private final Context context;
  private final LiveHub hub;
  private final Map<String, JsonObject> latest = new HashMap<>();
  private long malformed;

  public LiveFeed(Context context, LiveHub hub) {
    this.context = context;
    this.hub = hub;
  }

  public void subscribe(MqttConnection mqtt) {
    mqtt.subscribe(
        "city/v1/+/live",
        1,
        (topic, payload) -> context.runOnContext(v -> onSnapshot(topic, payload)));
    mqtt.subscribe(
        "city/v1/+/alert",
        1,
        (topic, payload) -> context.runOnContext(v -> onAlert(topic, payload)));
    mqtt.subscribe(
        "city/v1/+/incident",
        1,
        (topic, payload) -> context.runOnContext(v -> onIncident(topic, payload)));
  }

  /** The latest snapshot of a district seen on its live topic, or null; event loop only. */
  public JsonObject latest(String district) {
    return latest.get(district);
  }

  public long malformed() {
    return malformed;
  }

  private void onSnapshot(String topic, byte[] payload) {
    String district = districtOf(topic);
    if (payload.length == 0) {
      // A zero-length retained message clears the topic: the district has no live picture now, not
      // a picture of zeros.
      latest.remove(district);
      return;
    }
    try {
      DistrictSnapshot snapshot = DistrictSnapshot.parseFrom(payload);
      if (!district.equals(snapshot.getDistrict())) {
        // Only a district's own picture on its own topic (also keeps `latest` to the districts that
        // publish).
        malformed++;
        return;
      }
      JsonObject json = ProtoJson.snapshot(snapshot);
      latest.put(district, json);
      hub.snapshot(district, json);
    } catch (InvalidProtocolBufferException e) {
      malformed(topic, e);
    }
  }

  private void onAlert(String topic, byte[] payload) {
    if (payload.length == 0) {
      return;
    }
    try {
      hub.event(districtOf(topic), "alert", ProtoJson.alert(Alert.parseFrom(payload)));
    } catch (InvalidProtocolBufferException e) {
      malformed(topic, e);
    }
  }

  private void onIncident(String topic, byte[] payload) {
    if (payload.length == 0) {
      return;
    }
    try {
      hub.event(districtOf(topic), "incident", ProtoJson.incident(Incident.parseFrom(payload)));
    } catch (InvalidProtocolBufferException e) {
      malformed(topic, e);
    }
  }

  private void malformed(String topic, InvalidProtocolBufferException e) {
    malformed++;
    LOG.warn("undecodable message on {}: {}", topic, e.getMessage());
  }

  /** city/v1/{district}/... */
  static String districtOf(String topic) {
    return topic.split("/", 4)[2];
  }
}
