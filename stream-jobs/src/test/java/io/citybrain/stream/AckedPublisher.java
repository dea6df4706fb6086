package io.citybrain.stream;

import io.citybrain.access.Principal;
import io.citybrain.mqtt.MqttSettings;
import io.citybrain.mqtt.PahoConnection;
import io.citybrain.mqtt.ReplayWindow;
import io.citybrain.mqtt.ReplayingConnection;
import io.citybrain.proto.Topics;
import io.citybrain.proto.v1.Reading;
import io.citybrain.seeds.Device;
import io.citybrain.seeds.MetricKind;
import io.citybrain.testkit.TestServices;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes sequenced QoS 1 readings of one district's sensors as its IoT gateway, through the
 * production publishing path with its replay window ({@link ReplayingConnection}, the simulator's),
 * and records exactly which got their first PUBACK, and when: message {@code i} is device {@code i
 * % devices} with seq {@code i / devices + 1}. A publish the connection could not complete (the
 * broker died with it in flight) is acknowledged only if a replay of it is.
 */
final class AckedPublisher implements Runnable {
  private final PahoConnection paho;
  private final ReplayingConnection connection;
  private final Map<String, Integer> ordinal = new HashMap<>();
  private final AtomicLong ackedByReplay = new AtomicLong();
  private final String district;
  private final List<Device> devices;
  private final List<MetricKind> kinds;
  private final int messages;
  private final double ratePerSecond;

  /** Nanotime of each message's PUBACK; 0 while it has none. */
  private final AtomicLongArray ackedAt;

  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile long startedNanos;
  private volatile long finishedNanos;

  AckedPublisher(
      TestServices services,
      String brokerUrl,
      String district,
      List<Device> devices,
      List<MetricKind> kinds,
      int messages,
      double ratePerSecond) {
    this.district = district;
    this.devices = List.copyOf(devices);
    this.kinds = List.copyOf(kinds);
    this.messages = messages;
    this.ratePerSecond = ratePerSecond;
    this.ackedAt = new AtomicLongArray(messages);
    for (int d = 0; d < this.devices.size(); d++) {
      ordinal.put(this.devices.get(d).id(), d);
    }
    // A clean session that reconnects by itself: after a broker kill it comes back, what it had in
    // flight fails (Paho never resends it), and the replay window sends the last 15 s again.
    this.paho =
        PahoConnection.connect(
            MqttSettings.builder(brokerUrl, services.uniqueId("kill-pub"))
                .login(services.login(Principal.districtGateway(district)))
                .build());
    this.connection =
        new ReplayingConnection(
            paho,
            ReplayWindow.ofAge(ReplayWindow.DEFAULT_AGE),
            topic -> true,
            (entry, error) -> {
              if (error == null) {
                try {
                  Reading r = Reading.parseFrom(entry.payload());
                  int index = index(ordinal.get(r.getDeviceId()), r.getSeq());
                  if (acknowledge(index)) {
                    ackedByReplay.incrementAndGet();
                  }
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                  throw new IllegalStateException("a replayed payload is not a reading", e);
                }
              }
            });
  }

  /** Records the first PUBACK of a message; true when this was it. */
  private boolean acknowledge(int index) {
    if (ackedAt.compareAndSet(index, 0, System.nanoTime())) {
      acked.incrementAndGet();
      return true;
    }
    return false;
  }

  @Override
  public void run() {
    startedNanos = System.nanoTime();
    try {
      for (int i = 0; i < messages; i++) {
        // Paced: message i leaves no earlier than i / rate after the start.
        long due = startedNanos + (long) (i * 1e9 / ratePerSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        while (!connection.isConnected()) {
          // The broker is down or restarting: hold the message until the client is back.
          LockSupport.parkNanos(5_000_000);
        }
        int index = i;
        connection.publish(
            Topics.reading(district, device(index).id()),
            payload(index),
            1,
            false,
            error -> {
              if (error == null) {
                acknowledge(index);
              } else {
                failed.incrementAndGet();
              }
            });
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      finishedNanos = System.nanoTime();
    }
  }

  Device device(int index) {
    return devices.get(index % devices.size());
  }

  long seq(int index) {
    return index / devices.size() + 1L;
  }

  /** The index of (device, seq), or -1 when it is none of this publisher's messages. */
  int index(int deviceOrdinal, long seq) {
    long index = (seq - 1) * devices.size() + deviceOrdinal;
    return seq < 1 || index >= messages ? -1 : (int) index;
  }

  /** When message {@code index} got its PUBACK (nanotime), 0 if it got none. */
  long ackedAt(int index) {
    return ackedAt.get(index);
  }

  long acked() {
    return acked.get();
  }

  long failed() {
    return failed.get();
  }

  /** Messages whose first PUBACK was for a replay (their first publish failed with the broker). */
  long ackedByReplay() {
    return ackedByReplay.get();
  }

  /** The production connection, for its replay counters. */
  ReplayingConnection connection() {
    return connection;
  }

  /** Publishes that waited for Paho's own in-flight count instead of failing. */
  long pahoInflightWaits() {
    return paho.pahoInflightWaits();
  }

  int messages() {
    return messages;
  }

  /** Messages per second over the run (attempted; 0 before the run ended). */
  double rate() {
    long took = finishedNanos - startedNanos;
    return finishedNanos == 0 || took <= 0 ? 0 : messages * 1e9 / took;
  }

  void close() {
    connection.close();
  }

  private byte[] payload(int index) {
    Device d = device(index);
    MetricKind kind = kinds.get(index % devices.size());
    return Reading.newBuilder()
        .setDeviceId(d.id())
        .setSeq(seq(index))
        .setBootId(1)
        .setEventTimeMs(System.currentTimeMillis())
        .setMetric(kind.id())
        .setValue((kind.min() + kind.max()) / 2)
        .setDistrict(district)
        .build()
        .toByteArray();
  }
}
