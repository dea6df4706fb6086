package io.citybrain.ingest.sink;

import io.citybrain.ingest.validate.TelemetryItem;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Position;
import io.citybrain.proto.v1.Reading;

/**
 * A validated item back on the wire: its topic and protobuf bytes, so a dead letter made after
 * validation carries the message as the device sent it (unknown fields aside).
 */
public final class ItemBytes {
  private ItemBytes() {}

  public static String topic(TelemetryItem item) {
    MessageClass cls =
        item.kind == TelemetryItem.READING
            ? MessageClass.READING
            : item.kind == TelemetryItem.CAMERA ? MessageClass.CAMERA : MessageClass.HEARTBEAT;
    return Topics.of(cls, item.district, item.deviceId);
  }

  public static byte[] payload(TelemetryItem item) {
    return switch (item.kind) {
      case TelemetryItem.READING ->
          Reading.newBuilder()
              .setDeviceId(item.deviceId)
              .setSeq(item.seq)
              .setEventTimeMs(item.eventTimeMs)
              .setMetric(item.metric)
              .setValue(item.value)
              .setDistrict(item.district)
              .build()
              .toByteArray();
      case TelemetryItem.CAMERA -> {
        CameraEvent.Builder c =
            CameraEvent.newBuilder()
                .setCameraId(item.deviceId)
                .setSeq(item.seq)
                .setEventTimeMs(item.eventTimeMs)
                .setEventType(item.eventType == null ? "" : item.eventType)
                .setConfidence((float) item.value)
                .setObjectCount(item.objectCount)
                .setDistrict(item.district);
        if (item.hasPosition()) {
          c.setPosition(Position.newBuilder().setLat(item.lat).setLon(item.lon));
        }
        yield c.build().toByteArray();
      }
      default ->
          Heartbeat.newBuilder()
              .setDeviceId(item.deviceId)
              .setSeq(item.seq)
              .setEventTimeMs(item.eventTimeMs)
              .setBatteryPct(item.batteryPct)
              .setFirmware(item.firmware == null ? "" : item.firmware)
              .setDistrict(item.district)
              .build()
              .toByteArray();
    };
  }
}
