package io.citybrain.ingest.validate;

import com.google.protobuf.Message;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Position;
import io.citybrain.proto.v1.Reading;

/**
 * One reading, camera event or heartbeat that passed validation, flattened into a Flink POJO
 * (public fields, no-argument constructor) so it crosses the network without Kryo, with what the
 * registry knows of its device.
 */
public class TelemetryItem {
  public static final byte READING = 0;
  public static final byte CAMERA = 1;
  public static final byte HEARTBEAT = 2;

  public byte kind;
  public String deviceId;
  public long seq;

  /** Which numbering {@link #seq} belongs to; 0 when the device does not say (older firmware). */
  public long bootId;

  public long eventTimeMs;

  /** The district it counts for: the topic's, which validation checked against the registry. */
  public String district;

  /** Readings: the metric kind. */
  public String metric;

  /** Readings: the value; camera events: the detector's confidence. */
  public double value;

  /** Camera events: the event type. */
  public String eventType;

  public int objectCount;

  /**
   * Where it happened: the camera event's position, else the device's registered position (NaN when
   * unknown).
   */
  public double lat = Double.NaN;

  public double lon = Double.NaN;

  /** Heartbeats. */
  public float batteryPct;

  public String firmware;

  /** The device's expected reporting interval from the registry, seconds (0 when unknown). */
  public int intervalS;

  /** Set by the stream job's dedup: this (device, seq) was seen before. */
  public boolean duplicate;

  /**
   * Set by the stream job: older than the watermark minus the allowed lateness; stored raw, left
   * out of aggregates.
   */
  public boolean late;

  public TelemetryItem() {}

  /** The item for a validated protobuf message, placed by its registry entry. */
  public static TelemetryItem of(String district, Message m, KnownDevice device) {
    TelemetryItem item = new TelemetryItem();
    item.district = district;
    item.intervalS = device.intervalS();
    item.lat = device.lat();
    item.lon = device.lon();
    if (m instanceof Reading r) {
      item.kind = READING;
      item.deviceId = r.getDeviceId();
      item.seq = r.getSeq();
      item.bootId = r.getBootId();
      item.eventTimeMs = r.getEventTimeMs();
      item.metric = r.getMetric();
      item.value = r.getValue();
    } else if (m instanceof CameraEvent c) {
      item.kind = CAMERA;
      item.deviceId = c.getCameraId();
      item.seq = c.getSeq();
      item.bootId = c.getBootId();
      item.eventTimeMs = c.getEventTimeMs();
      item.eventType = c.getEventType();
      item.value = c.getConfidence();
      item.objectCount = c.getObjectCount();
      if (c.hasPosition()) {
        item.lat = c.getPosition().getLat();
        item.lon = c.getPosition().getLon();
      }
    } else {
      Heartbeat h = (Heartbeat) m;
      item.kind = HEARTBEAT;
      item.deviceId = h.getDeviceId();
      item.seq = h.getSeq();
      item.bootId = h.getBootId();
      item.eventTimeMs = h.getEventTimeMs();
      item.batteryPct = h.getBatteryPct();
      item.firmware = h.getFirmware();
    }
    return item;
  }

  /**
   * The message again, for a dead letter raised after validation: the fields the item kept (a
   * camera event's position is the one validation placed it at).
   */
  public Message toMessage() {
    if (kind == READING) {
      return Reading.newBuilder()
          .setDeviceId(text(deviceId))
          .setSeq(seq)
          .setBootId(bootId)
          .setEventTimeMs(eventTimeMs)
          .setMetric(text(metric))
          .setValue(value)
          .setDistrict(text(district))
          .build();
    }
    if (kind == CAMERA) {
      CameraEvent.Builder c =
          CameraEvent.newBuilder()
              .setCameraId(text(deviceId))
              .setSeq(seq)
              .setBootId(bootId)
              .setEventTimeMs(eventTimeMs)
              .setEventType(text(eventType))
              .setConfidence((float) value)
              .setObjectCount(objectCount)
              .setDistrict(text(district));
      if (hasPosition()) {
        c.setPosition(Position.newBuilder().setLat(lat).setLon(lon));
      }
      return c.build();
    }
    return Heartbeat.newBuilder()
        .setDeviceId(text(deviceId))
        .setSeq(seq)
        .setBootId(bootId)
        .setEventTimeMs(eventTimeMs)
        .setDistrict(text(district))
        .setBatteryPct(batteryPct)
        .setFirmware(text(firmware))
        .build();
  }

  /**
   * The topic a device publishes such an item on by itself (a batch's item came on another);
   * written out, not checked, because it only labels a dead letter.
   */
  public String topic() {
    MessageClass c =
        kind == READING
            ? MessageClass.READING
            : kind == CAMERA ? MessageClass.CAMERA : MessageClass.HEARTBEAT;
    return Topics.ROOT + '/' + district + '/' + c.segment() + '/' + deviceId;
  }

  private static String text(String value) {
    return value == null ? "" : value;
  }

  public boolean isReading() {
    return kind == READING;
  }

  public boolean isCamera() {
    return kind == CAMERA;
  }

  public boolean hasPosition() {
    return !Double.isNaN(lat) && !Double.isNaN(lon);
  }

  @Override
  public String toString() {
    return (kind == READING
            ? "reading " + metric + "=" + value
            : kind == CAMERA ? "camera " + eventType : "heartbeat")
        + " "
        + deviceId
        + "#"
        + seq
        + "@"
        + eventTimeMs
        + (duplicate ? " duplicate" : "")
        + (late ? " late" : "");
  }
}
