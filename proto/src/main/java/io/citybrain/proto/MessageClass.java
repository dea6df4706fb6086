package io.citybrain.proto;

import java.util.EnumSet;
import java.util.Set;

/** What a topic carries: the class segment of {@code city/v1/{district}/{class}[/{id}]}. */
public enum MessageClass {
  /** A sensor's {@code Reading}, upstream. */
  READING("reading", true),
  /** A camera's analytics {@code CameraEvent}, upstream. */
  CAMERA("camera", true),
  /** Any device's {@code Heartbeat}, upstream. */
  HEARTBEAT("heartbeat", true),
  /** A gateway's {@code GatewayBatch} of many devices' messages, upstream. */
  BATCH("batch", true),
  /** A device's {@code CommandAck}, upstream. */
  ACK("ack", true),
  /** A {@code Command} to one device, downstream; never retained. */
  COMMAND("cmd", true),
  /** A district's latest {@code DistrictSnapshot}, retained. */
  LIVE("live", false),
  /** The city's latest {@code CitySummary}, retained on {@code city/v1/city/live}. */
  CITY_LIVE("live", false),
  /** A district's {@code Alert} raised or cleared. */
  ALERT("alert", false),
  /** A district's {@code Incident} detected. */
  INCIDENT("incident", false);

  /** The classes the stream job reads: device telemetry, single or batched. */
  public static final Set<MessageClass> TELEMETRY = EnumSet.of(READING, CAMERA, HEARTBEAT, BATCH);

  private final String segment;
  private final boolean perSource;

  MessageClass(String segment, boolean perSource) {
    this.segment = segment;
    this.perSource = perSource;
  }

  /** The topic segment, e.g. {@code reading} or {@code cmd}. */
  public String segment() {
    return segment;
  }

  /** True when the topic ends in a device's or gateway's id (five segments), false for results. */
  public boolean perSource() {
    return perSource;
  }

  public boolean isTelemetry() {
    return TELEMETRY.contains(this);
  }
}
