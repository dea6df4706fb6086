package io.citybrain.simulators;

import io.citybrain.seeds.Device;
import io.citybrain.seeds.DeviceKind;
import io.citybrain.seeds.StableHash;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/** One simulated device: its registry entry, its own random stream, and its message sequence. */
final class SimDevice {
  final Device device;
  final DeviceKind kind;

  /** Position in the whole fleet: what shards and connections divide by. */
  final int fleetOrdinal;

  /**
   * Values and detections come from this stream only, in message order: the same seed gives the
   * same messages.
   */
  final SplittableRandom random;

  /** Shared by telemetry and command acknowledgements: one numbering per device. */
  final AtomicLong seq = new AtomicLong();

  /** A device clock that is off by this much (clock-skew fault), in ms. */
  long clockSkewMs;

  int metricCursor;

  SimDevice(Device device, DeviceKind kind, int fleetOrdinal, long seed) {
    this.device = device;
    this.kind = kind;
    this.fleetOrdinal = fleetOrdinal;
    this.random = new SplittableRandom(StableHash.derive(seed, "device/" + device.id()));
  }

  /** The next metric of a multi-metric sensor, in turn. */
  String nextMetric() {
    String metric = kind.metrics().get(metricCursor % kind.metrics().size());
    metricCursor++;
    return metric;
  }
}
