package io.citybrain.stream.dedup;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Reading;
import java.io.IOException;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/**
 * The timestamp an MQTT message contributes to its lane's watermark: the device's event time (a
 * batch's earliest), but never later than when the message arrived. Watermarks are made per lane in
 * the source, so a lane that lags (a backlog after a restart) holds time back instead of making the
 * other lanes' data late.
 *
 * <p>Why capped at arrival: one device with a clock minutes fast would otherwise push the watermark
 * minutes ahead and make every other device's readings late. Messages that cannot be read
 * contribute nothing (validation rejects them).
 */
public final class EventTimeOfMessage implements SerializableTimestampAssigner<MqttRecord> {
  private static final long serialVersionUID = 1L;

  /**
   * Field 3, varint: the event time in each single upstream message (the wire contract locks the
   * number).
   */
  static final int EVENT_TIME_TAG = 3 << 3 | WireFormat.WIRETYPE_VARINT;

  @Override
  public long extractTimestamp(MqttRecord record, long previous) {
    long eventTime = eventTime(record);
    return eventTime <= 0 ? Long.MIN_VALUE : Math.min(eventTime, record.receivedAtMs);
  }

  static long eventTime(MqttRecord record) {
    Optional<Topics.Address> topic = Topics.parse(record.topic);
    if (topic.isEmpty()) {
      return 0;
    }
    try {
      return topic.get().messageClass() == MessageClass.BATCH
          ? earliest(GatewayBatch.parseFrom(record.payload))
          : eventTimeField(record.payload);
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * Reads only {@code event_time_ms} (field 3 of Reading, CameraEvent and Heartbeat alike) and
   * skips the rest: every message passes here before validation decodes it in full, so this stays
   * cheap.
   */
  static long eventTimeField(byte[] payload) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(payload);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == EVENT_TIME_TAG) {
        return in.readInt64();
      }
      in.skipField(tag);
    }
    return 0;
  }

  private static long earliest(GatewayBatch batch) {
    long min = Long.MAX_VALUE;
    for (Reading r : batch.getReadingsList()) {
      min = Math.min(min, r.getEventTimeMs());
    }
    for (CameraEvent c : batch.getCameraEventsList()) {
      min = Math.min(min, c.getEventTimeMs());
    }
    for (Heartbeat h : batch.getHeartbeatsList()) {
      min = Math.min(min, h.getEventTimeMs());
    }
    return min == Long.MAX_VALUE ? 0 : min;
  }
}
