package io.citybrain.ingest.validate;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Reading;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks one MQTT message: the topic's shape, the payload against the topic (class, district,
 * device), the device against the registry, the value against its metric's range, a camera event's
 * type against the vocabulary, text lengths and the seq's range, the event time against a future
 * limit. Gateway batches are split and each item checked on its own. Thread-safe if the directory
 * and clock are.
 */
public final class TelemetryValidator {
  /**
   * 2000-01-01T00:00:00Z: older event times are unset clocks, and very old ones are beyond
   * timestamptz.
   */
  static final long EARLIEST_EVENT_TIME_MS = 946_684_800_000L;

  private final Function<String, Optional<KnownDevice>> directory;
  private final Map<String, MetricRange> ranges;
  private final Set<String> eventTypes;
  private final long futureLimitMs;
  private final Clock clock;

  public TelemetryValidator(
      Function<String, Optional<KnownDevice>> directory,
      Map<String, MetricRange> ranges,
      Set<String> eventTypes,
      Duration futureLimit,
      Clock clock) {
    this.directory = directory;
    this.ranges = Map.copyOf(ranges);
    this.eventTypes = Set.copyOf(eventTypes);
    this.futureLimitMs = futureLimit.toMillis();
    this.clock = clock;
  }

  public Validated validate(String topic, byte[] payload) {
    Optional<Topics.Address> parsed =
        Topics.parse(topic).filter(a -> a.messageClass().isTelemetry());
    if (parsed.isEmpty()) {
      return rejected(
          new Rejection(
              topic,
              null,
              RejectReason.MALFORMED_TOPIC,
              "expected " + Topics.ROOT + "/{district}/{reading|camera|heartbeat|batch}/{id}",
              payload));
    }
    Topics.Address t = parsed.get();
    String longSegment = Text.tooLong(t);
    if (longSegment != null) {
      // No district of its own: an over-long one would become a dead letter's and a counter's key.
      return rejected(
          new Rejection(topic, null, RejectReason.TEXT_TOO_LONG, "topic " + longSegment, payload));
    }
    List<TelemetryItem> accepted = new ArrayList<>();
    List<Rejection> rejected = new ArrayList<>();
    try {
      switch (t.messageClass()) {
        case READING ->
            check(t, topic, Reading.parseFrom(payload), payload, true, accepted, rejected);
        case CAMERA ->
            check(t, topic, CameraEvent.parseFrom(payload), payload, true, accepted, rejected);
        case HEARTBEAT ->
            check(t, topic, Heartbeat.parseFrom(payload), payload, true, accepted, rejected);
        case BATCH -> {
          GatewayBatch batch = GatewayBatch.parseFrom(payload);
          String tooLong = Text.tooLong(batch);
          if (tooLong != null) {
            return rejected(
                new Rejection(
                    topic,
                    t.district(),
                    RejectReason.TEXT_TOO_LONG,
                    "gateway batch " + tooLong,
                    payload));
          }
          if (batch.getReadingsCount() + batch.getCameraEventsCount() + batch.getHeartbeatsCount()
              == 0) {
            return rejected(
                new Rejection(
                    topic,
                    t.district(),
                    RejectReason.EMPTY_BATCH,
                    "gateway batch " + Text.clean(batch.getGatewayId()) + " carries no messages",
                    payload));
          }
          if (!batch.getDistrict().isEmpty() && !batch.getDistrict().equals(t.district())) {
            return rejected(
                new Rejection(
                    topic,
                    t.district(),
                    RejectReason.TOPIC_MISMATCH,
                    Text.clean("batch says district " + batch.getDistrict()),
                    payload));
          }
          for (Reading r : batch.getReadingsList()) {
            check(t, topic, r, r.toByteArray(), false, accepted, rejected);
          }
          for (CameraEvent c : batch.getCameraEventsList()) {
            check(t, topic, c, c.toByteArray(), false, accepted, rejected);
          }
          for (Heartbeat h : batch.getHeartbeatsList()) {
            check(t, topic, h, h.toByteArray(), false, accepted, rejected);
          }
        }
        default -> throw new IllegalStateException("not a telemetry class: " + t.messageClass());
      }
    } catch (InvalidProtocolBufferException e) {
      return rejected(
          new Rejection(
              topic,
              t.district(),
              RejectReason.UNDECODABLE,
              "not a " + t.messageClass().segment() + " message: " + e.getMessage(),
              payload));
    }
    return new Validated(accepted, rejected);
  }

  /**
   * Checks one upstream message; {@code direct} when it came on its own topic, false inside a
   * batch.
   */
  private void check(
      Topics.Address t,
      String topic,
      Message m,
      byte[] bytes,
      boolean direct,
      List<TelemetryItem> accepted,
      List<Rejection> rejected) {
    Fields f = Fields.of(m);
    RejectReason reason = null;
    String detail = null;
    Optional<KnownDevice> device =
        f.deviceId.isEmpty() ? Optional.empty() : directory.apply(f.deviceId);
    String tooLong = Text.tooLong(m);
    if (f.deviceId.isEmpty() || f.seq == 0 || f.eventTimeMs == 0) {
      reason = RejectReason.MISSING_FIELD;
      detail = "device id, seq and event time are required";
    } else if (Text.hasNul(m)) {
      // Checked before anything else uses the text: a NUL would fail the COPY, and the message
      // would come back forever.
      reason = RejectReason.INVALID_TEXT;
      detail = "a text field contains a NUL character";
    } else if (tooLong != null) {
      // Before anything quotes the text in a detail or uses it as a key.
      reason = RejectReason.TEXT_TOO_LONG;
      detail = tooLong;
    } else if (f.seq < 0) {
      // uint64 on the wire, a long here: 2^63 and above read negative, beyond the dedup window's
      // arithmetic.
      reason = RejectReason.SEQ_OUT_OF_RANGE;
      detail = "seq " + Long.toUnsignedString(f.seq) + " is above the limit 2^63-1";
    } else if (f.eventTimeMs < EARLIEST_EVENT_TIME_MS) {
      reason = RejectReason.ANCIENT_EVENT_TIME;
      detail = "event time " + f.eventTimeMs + " ms is before 2000-01-01";
    } else if (direct && !f.deviceId.equals(t.sourceId())) {
      reason = RejectReason.TOPIC_MISMATCH;
      detail = "payload device " + f.deviceId + " on the topic of " + t.sourceId();
    } else if (!f.district.isEmpty() && !f.district.equals(t.district())) {
      reason = RejectReason.TOPIC_MISMATCH;
      detail = "payload district " + f.district + " on a topic of district " + t.district();
    } else if (device.isEmpty()) {
      reason = RejectReason.UNKNOWN_DEVICE;
      detail = "device " + f.deviceId + " is not in the registry";
    } else if (!device.get().district().equals(t.district())) {
      reason = RejectReason.REGISTRY_MISMATCH;
      detail =
          "device "
              + f.deviceId
              + " is registered in "
              + device.get().district()
              + ", not "
              + t.district();
    } else if (!f.expectedClass.equals(device.get().deviceClass()) && !(m instanceof Heartbeat)) {
      reason = RejectReason.REGISTRY_MISMATCH;
      detail =
          "device "
              + f.deviceId
              + " is a "
              + device.get().deviceClass()
              + ", not a "
              + f.expectedClass;
    } else if (m instanceof Reading r && !ranges.containsKey(r.getMetric())) {
      reason = r.getMetric().isEmpty() ? RejectReason.MISSING_FIELD : RejectReason.UNKNOWN_METRIC;
      detail = "metric '" + r.getMetric() + "' is not a known metric kind";
    } else if (m instanceof Reading r && !ranges.get(r.getMetric()).contains(r.getValue())) {
      MetricRange range = ranges.get(r.getMetric());
      reason = RejectReason.OUT_OF_RANGE;
      detail =
          r.getMetric() + " = " + r.getValue() + " is outside " + range.min() + ".." + range.max();
    } else if (m instanceof CameraEvent c && !eventTypes.contains(c.getEventType())) {
      reason =
          c.getEventType().isEmpty() ? RejectReason.MISSING_FIELD : RejectReason.UNKNOWN_EVENT_TYPE;
      detail = "event type '" + c.getEventType() + "' is not a known camera event type";
    } else if (NumberLimits.problem(m) != null) {
      reason = RejectReason.OUT_OF_RANGE;
      detail = NumberLimits.problem(m);
    } else if (f.eventTimeMs > clock.millis() + futureLimitMs) {
      reason = RejectReason.FUTURE_EVENT_TIME;
      detail =
          "event time is "
              + (f.eventTimeMs - clock.millis()) / 1000
              + " s ahead; the limit is "
              + futureLimitMs / 1000
              + " s";
    }
    if (reason == null) {
      accepted.add(TelemetryItem.of(t.district(), m, device.get()));
    } else {
      rejected.add(new Rejection(topic, t.district(), reason, Text.clean(detail), bytes));
    }
  }

  private static Validated rejected(Rejection rejection) {
    return new Validated(List.of(), List.of(rejection));
  }

  /** The identity fields every upstream message has, whatever its type. */
  private record Fields(
      String deviceId, long seq, long eventTimeMs, String district, String expectedClass) {
    static Fields of(Message m) {
      if (m instanceof Reading r) {
        return new Fields(
            r.getDeviceId(), r.getSeq(), r.getEventTimeMs(), r.getDistrict(), "sensor");
      }
      if (m instanceof CameraEvent c) {
        return new Fields(
            c.getCameraId(), c.getSeq(), c.getEventTimeMs(), c.getDistrict(), "camera");
      }
      Heartbeat h = (Heartbeat) m;
      return new Fields(h.getDeviceId(), h.getSeq(), h.getEventTimeMs(), h.getDistrict(), "any");
    }
  }
}
