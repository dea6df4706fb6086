package io.citybrain.ingest.source;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which messages each checkpoint covers, so that they are acknowledged only once it completes (the
 * shape of flink-connector-kafka's offsets-to-commit). Task thread only: records are emitted,
 * snapshots taken and checkpoints completed on it.
 */
final class AckLedger {
  /** Packed (lane << 32 | packetId) of QoS 1 messages emitted since the last snapshot. */
  private long[] pending = new long[1024];

  private int size;
  private final SortedMap<Long, long[]> byCheckpoint = new TreeMap<>();

  /**
   * Read by the metrics thread: a running count, so it never walks the map the task thread changes.
   */
  private final AtomicLong outstanding = new AtomicLong();

  void emitted(int lane, int packetId) {
    if (size == pending.length) {
      pending = Arrays.copyOf(pending, size * 2);
    }
    pending[size++] = ((long) lane << 32) | (packetId & 0xffffffffL);
    outstanding.incrementAndGet();
  }

  /** Everything emitted so far belongs to this checkpoint. */
  void snapshot(long checkpointId) {
    byCheckpoint.put(checkpointId, Arrays.copyOf(pending, size));
    size = 0;
  }

  /** Removes and returns the packed acks of every checkpoint up to and including this one. */
  List<long[]> complete(long checkpointId) {
    List<long[]> done = new ArrayList<>();
    Iterator<Map.Entry<Long, long[]>> it =
        byCheckpoint.headMap(checkpointId + 1).entrySet().iterator();
    while (it.hasNext()) {
      long[] acks = it.next().getValue();
      done.add(acks);
      outstanding.addAndGet(-acks.length);
      it.remove();
    }
    return done;
  }

  /** Messages emitted or snapshotted but not yet acknowledged. */
  long unacknowledged() {
    return outstanding.get();
  }

  static int lane(long packed) {
    return (int) (packed >>> 32);
  }

  static int packetId(long packed) {
    return (int) packed;
  }
}
