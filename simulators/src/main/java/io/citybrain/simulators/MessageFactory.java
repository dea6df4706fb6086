package io.citybrain.simulators;

import com.google.protobuf.Message;
import io.citybrain.proto.v1.CameraEvent;
import io.citybrain.proto.v1.Heartbeat;
import io.citybrain.proto.v1.Position;
import io.citybrain.proto.v1.Reading;
import io.citybrain.seeds.DeviceClass;
import io.citybrain.seeds.MetricKind;
import io.citybrain.seeds.StableHash;
import java.util.Map;

/**
 * Builds the protobuf message a device sends at one tick: a reading, a camera detection or a
 * heartbeat.
 */
final class MessageFactory {
  private final SignalModel signals;
  private final ScenarioPlayer scenario;
  private final Map<String, MetricKind> metrics;
  private final double startHour;
  private final long bootId;

  /**
   * @param bootId sent with every message: the numbering the seqs belong to ({@link BootId})
   */
  MessageFactory(
      SignalModel signals,
      ScenarioPlayer scenario,
      Map<String, MetricKind> metrics,
      double startHour,
      long bootId) {
    this.signals = signals;
    this.scenario = scenario;
    this.metrics = metrics;
    this.startHour = startHour;
    this.bootId = bootId;
  }

  /** Simulated hour of day (0-24) at a time since the start. */
  double hour(double elapsedS) {
    return (startHour + elapsedS / 3600) % 24;
  }

  /**
   * A reading, camera event or heartbeat; {@code outOfRange} makes a reading's value invalid on
   * purpose.
   */
  Message tick(SimDevice d, long eventTimeMs, double elapsedS, boolean outOfRange) {
    long seq = d.seq.incrementAndGet();
    String district = d.device.district();
    double hour = hour(elapsedS);
    if (d.kind.deviceClass() == DeviceClass.SENSOR) {
      String metric = d.nextMetric();
      MetricKind kind = metrics.get(metric);
      double value =
          scenario.reading(
              d.device,
              metric,
              signals.value(metric, district, hour, elapsedS, d.random),
              elapsedS);
      value = Math.max(kind.min(), Math.min(kind.max(), value));
      if (outOfRange) {
        value = kind.max() + (kind.max() - kind.min()) * (0.1 + d.random.nextDouble());
      }
      return Reading.newBuilder()
          .setDeviceId(d.device.id())
          .setSeq(seq)
          .setBootId(bootId)
          .setEventTimeMs(eventTimeMs)
          .setMetric(metric)
          .setValue(Math.round(value * 100) / 100.0)
          .setDistrict(district)
          .build();
    }
    if (d.kind.deviceClass() == DeviceClass.CAMERA) {
      String type = scenario.cameraEvent(d.device, elapsedS, d.random);
      if (type == null && d.random.nextDouble() < CameraActivity.detectionShare(hour, district)) {
        type = CameraActivity.detectionType(hour, d.random);
      }
      if (type != null) {
        // The detected thing is near the camera: within about 50 m.
        double dLat = (d.random.nextDouble() - 0.5) * 0.0009;
        double dLon = (d.random.nextDouble() - 0.5) * 0.0009;
        return CameraEvent.newBuilder()
            .setCameraId(d.device.id())
            .setSeq(seq)
            .setBootId(bootId)
            .setEventTimeMs(eventTimeMs)
            .setEventType(type)
            .setConfidence((float) (0.6 + 0.39 * d.random.nextDouble()))
            .setObjectCount(CameraActivity.objectCount(type, d.random))
            .setPosition(
                Position.newBuilder().setLat(d.device.lat() + dLat).setLon(d.device.lon() + dLon))
            .setDistrict(district)
            .build();
      }
    }
    return Heartbeat.newBuilder()
        .setDeviceId(d.device.id())
        .setSeq(seq)
        .setBootId(bootId)
        .setEventTimeMs(eventTimeMs)
        .setDistrict(district)
        .setBatteryPct(
            d.kind.deviceClass() == DeviceClass.CAMERA
                ? -1
                : (float) (60 + 40 * StableHash.uniform(d.device.id().hashCode(), "battery")))
        .setFirmware("2.4." + (d.fleetOrdinal % 7))
        .build();
  }
}
