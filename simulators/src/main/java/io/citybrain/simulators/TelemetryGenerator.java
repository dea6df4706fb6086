package io.citybrain.simulators;

import com.google.protobuf.Message;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.GatewayBatch;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Reading;
import io.citybrain.seeds.DeviceClass;
import io.citybrain.seeds.StableHash;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * The stream of publishes a simulator makes, in order: device ticks from the schedule, turned into
 * messages, with faults injected, camera reports batched per gateway and late messages held back.
 * Deterministic: the same devices, seed, options and event-time origin give the same bytes in the
 * same order. Not thread-safe: one publishing thread.
 */
final class TelemetryGenerator {
  /** A partial gateway batch waits at most this long (simulated) before it is sent. */
  static final long GATEWAY_FLUSH_MICROS = 1_000_000;

  private final List<SimDevice> devices;
  private final TickSchedule schedule;
  private final MessageFactory factory;
  private final ScenarioPlayer scenario;
  private final FaultPlan faults;
  private final SplittableRandom faultRandom;
  private final LongSupplier eventTimeOrigin;
  private final boolean wallClock;
  private final int gatewayBatch;
  private final Map<String, Batch> gateways = new LinkedHashMap<>();
  private final PriorityQueue<Outgoing> late =
      new PriorityQueue<>((a, b) -> Long.compare(a.atMicros(), b.atMicros()));
  private final ArrayDeque<Outgoing> ready = new ArrayDeque<>();
  private final Map<Fault, Long> injected = new EnumMap<>(Fault.class);
  private long lastGatewaySweep;

  /** Which fault was injected, for the report. */
  enum Fault {
    SKEW,
    FUTURE,
    LATE,
    DUPLICATE,
    OUT_OF_RANGE,
    MALFORMED
  }

  /**
   * @param eventTimeOrigin epoch ms that simulated time 0 maps to (read once, at the first tick)
   * @param wallClock stamp event times from the wall clock instead (for unthrottled benchmark runs)
   */
  TelemetryGenerator(
      List<SimDevice> devices,
      double speed,
      long seed,
      MessageFactory factory,
      ScenarioPlayer scenario,
      FaultPlan faults,
      int gatewayBatch,
      LongSupplier eventTimeOrigin,
      boolean wallClock) {
    this.devices = devices;
    this.schedule = new TickSchedule(devices, speed, seed);
    this.factory = factory;
    this.scenario = scenario;
    this.faults = faults;
    this.faultRandom = new SplittableRandom(StableHash.derive(seed, "faults"));
    this.gatewayBatch = gatewayBatch;
    this.eventTimeOrigin = new CachedOrigin(eventTimeOrigin);
    this.wallClock = wallClock;
    for (Fault f : Fault.values()) {
      injected.put(f, 0L);
    }
    for (SimDevice d : devices) {
      if (StableHash.uniform(seed, "skew/" + d.device.id()) < faults.skew()) {
        d.clockSkewMs =
            Math.round((StableHash.uniform(seed, "skew-by/" + d.device.id()) * 2 - 1) * 300_000);
        count(Fault.SKEW);
      }
    }
  }

  /** The next publish, or null when no device is scheduled at all. */
  Outgoing next() {
    while (ready.isEmpty()) {
      long nextTick = schedule.isEmpty() ? Long.MAX_VALUE : schedule.peekMicros();
      if (!late.isEmpty() && late.peek().atMicros() <= nextTick) {
        ready.add(late.poll());
      } else if (nextTick == Long.MAX_VALUE) {
        return null;
      } else {
        tick();
      }
    }
    return ready.poll();
  }

  /** When the next publish is due, without making it (its seq is not taken yet). */
  long peekMicros() {
    if (!ready.isEmpty()) {
      return ready.peek().atMicros();
    }
    long at = schedule.isEmpty() ? Long.MAX_VALUE : schedule.peekMicros();
    return late.isEmpty() ? at : Math.min(at, late.peek().atMicros());
  }

  /** Puts back a publish that was taken but not sent: it goes out first, or with {@link #drain}. */
  void pushBack(Outgoing message) {
    ready.addFirst(message);
  }

  /**
   * What is still held back (late messages, partial gateway batches), stamped at {@code nowMicros}.
   */
  List<Outgoing> drain(long nowMicros) {
    List<Outgoing> rest = new ArrayList<>(ready);
    ready.clear();
    while (!late.isEmpty()) {
      Outgoing o = late.poll();
      rest.add(
          new Outgoing(o.topic(), o.payload(), nowMicros, o.messageClass(), o.connectionKey()));
    }
    for (Batch batch : gateways.values()) {
      if (!batch.isEmpty()) {
        rest.add(batch.flush(nowMicros));
      }
    }
    return rest;
  }

  Map<Fault, Long> injected() {
    return Map.copyOf(injected);
  }

  private void tick() {
    long[] tick = schedule.next();
    long at = tick[0];
    SimDevice d = devices.get((int) tick[1]);
    double elapsedS = at / 1e6;
    sweepGateways(at);
    if (scenario.silent(d.device, elapsedS)) {
      return;
    }
    // Draw every fault decision for every message, used or not, so one fault's rate never shifts
    // another's stream.
    boolean future = faultRandom.nextDouble() < faults.future();
    boolean isLate = faultRandom.nextDouble() < faults.late();
    boolean duplicate = faultRandom.nextDouble() < faults.duplicate();
    boolean outOfRange =
        faultRandom.nextDouble() < faults.outOfRange()
            && d.kind.deviceClass() == DeviceClass.SENSOR;
    boolean malformed = faultRandom.nextDouble() < faults.malformed();

    long eventTime =
        (wallClock ? System.currentTimeMillis() : eventTimeOrigin.getAsLong() + at / 1000)
            + d.clockSkewMs
            + (future ? faults.futureByMs() : 0);
    Message message = factory.tick(d, eventTime, elapsedS, outOfRange);
    MessageClass messageClass = classOf(message);
    byte[] payload = malformed ? garbage() : message.toByteArray();
    Outgoing out;
    if (gatewayBatch >= 2 && d.device.gatewayId() != null && !malformed) {
      Batch batch = gateways.computeIfAbsent(d.device.gatewayId(), id -> new Batch(d));
      batch.add(message, at);
      out = batch.size() >= gatewayBatch ? batch.flush(at) : null;
    } else {
      out =
          new Outgoing(
              Topics.of(messageClass, d.device.district(), d.device.id()),
              payload,
              at,
              messageClass,
              d.fleetOrdinal);
    }
    countIf(future, Fault.FUTURE);
    countIf(outOfRange, Fault.OUT_OF_RANGE);
    countIf(malformed, Fault.MALFORMED);
    if (out == null) {
      return;
    }
    if (isLate) {
      count(Fault.LATE);
      late.add(
          new Outgoing(
              out.topic(),
              out.payload(),
              at + faults.lateByMs() * 1000,
              out.messageClass(),
              out.connectionKey()));
    } else {
      ready.add(out);
    }
    if (duplicate) {
      count(Fault.DUPLICATE);
      ready.add(out);
    }
  }

  private void sweepGateways(long at) {
    if (gateways.isEmpty() || at - lastGatewaySweep < GATEWAY_FLUSH_MICROS) {
      return;
    }
    lastGatewaySweep = at;
    for (Batch batch : gateways.values()) {
      if (!batch.isEmpty() && at - batch.firstAt >= GATEWAY_FLUSH_MICROS) {
        ready.add(batch.flush(at));
      }
    }
  }

  /**
   * Bytes that no protobuf parser accepts: the first byte announces wire type 7, which does not
   * exist.
   */
  private byte[] garbage() {
    byte[] bytes = new byte[8 + faultRandom.nextInt(24)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) faultRandom.nextInt(256);
    }
    bytes[0] = 0x0F;
    return bytes;
  }

  private static MessageClass classOf(Message message) {
    if (message instanceof Reading) {
      return MessageClass.READING;
    }
    return message instanceof CameraEvent ? MessageClass.CAMERA : MessageClass.HEARTBEAT;
  }

  private void countIf(boolean condition, Fault fault) {
    if (condition) {
      count(fault);
    }
  }

  private void count(Fault fault) {
    injected.merge(fault, 1L, Long::sum);
  }

  /** Camera reports of one gateway waiting to go out as one GatewayBatch. */
  private final class Batch {
    private final String gatewayId;
    private final String district;
    private final int connectionKey;
    private GatewayBatch.Builder builder = GatewayBatch.newBuilder();
    private long batchSeq;
    private long firstAt;

    Batch(SimDevice first) {
      this.gatewayId = first.device.gatewayId();
      this.district = first.device.district();
      this.connectionKey = first.fleetOrdinal;
    }

    void add(Message message, long at) {
      if (isEmpty()) {
        firstAt = at;
      }
      if (message instanceof CameraEvent event) {
        builder.addCameraEvents(event);
      } else if (message instanceof Heartbeat heartbeat) {
        builder.addHeartbeats(heartbeat);
      } else {
        builder.addReadings((Reading) message);
      }
    }

    int size() {
      return builder.getCameraEventsCount()
          + builder.getHeartbeatsCount()
          + builder.getReadingsCount();
    }

    boolean isEmpty() {
      return size() == 0;
    }

    Outgoing flush(long at) {
      long sentAt =
          wallClock ? System.currentTimeMillis() : eventTimeOrigin.getAsLong() + at / 1000;
      byte[] payload =
          builder
              .setGatewayId(gatewayId)
              .setBatchSeq(++batchSeq)
              .setSentAtMs(sentAt)
              .setDistrict(district)
              .build()
              .toByteArray();
      builder = GatewayBatch.newBuilder();
      return new Outgoing(
          Topics.batch(district, gatewayId), payload, at, MessageClass.BATCH, connectionKey);
    }
  }

  /**
   * Reads the origin once, when the first message needs it: the run's clock starts with its first
   * publish.
   */
  private static final class CachedOrigin implements LongSupplier {
    private final LongSupplier source;
    private long value;
    private boolean read;

    CachedOrigin(LongSupplier source) {
      this.source = source;
    }

    @Override
    public long getAsLong() {
      if (!read) {
        value = source.getAsLong();
        read = true;
      }
      return value;
    }
  }
}
