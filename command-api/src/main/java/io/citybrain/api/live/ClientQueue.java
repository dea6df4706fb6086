package io.citybrain.api.live;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What waits for one WebSocket client: at most {@code limit} events (the oldest go first when it is
 * full, and the client is told how many it missed), and at most one snapshot per district (a newer
 * one replaces the waiting one). So a client that stops reading holds a bounded amount of server
 * memory however long it stalls. Not thread-safe: used on the event loop only.
 */
public final class ClientQueue {
  private final int limit;
  private final ArrayDeque<String> events = new ArrayDeque<>();
  private final Map<String, String> snapshots = new LinkedHashMap<>();
  private long chars;
  private long dropped;
  private long droppedUnreported;
  private long conflated;
  private int highWater;

  public ClientQueue(int limit) {
    this.limit = limit;
  }

  public void offerEvent(String frame) {
    if (events.size() >= limit) {
      chars -= events.pollFirst().length();
      dropped++;
      droppedUnreported++;
    }
    events.addLast(frame);
    chars += frame.length();
    highWater = Math.max(highWater, size());
  }

  public void offerSnapshot(String district, String frame) {
    String replaced = snapshots.put(district, frame);
    if (replaced != null) {
      conflated++;
      chars -= replaced.length();
    }
    chars += frame.length();
    highWater = Math.max(highWater, size());
  }

  /** Forgets the waiting snapshot of a district the client left. */
  public void dropSnapshot(String district) {
    String removed = snapshots.remove(district);
    if (removed != null) {
      chars -= removed.length();
    }
  }

  /**
   * The next frame to send, or null: a gap notice first when events were dropped, then events, then
   * snapshots.
   */
  public String poll() {
    if (droppedUnreported > 0) {
      String notice = "{\"type\":\"dropped\",\"count\":" + droppedUnreported + "}";
      droppedUnreported = 0;
      return notice;
    }
    String frame = events.pollFirst();
    if (frame == null) {
      Iterator<Map.Entry<String, String>> it = snapshots.entrySet().iterator();
      if (!it.hasNext()) {
        return null;
      }
      frame = it.next().getValue();
      it.remove();
    }
    chars -= frame.length();
    return frame;
  }

  public boolean isEmpty() {
    return events.isEmpty() && snapshots.isEmpty() && droppedUnreported == 0;
  }

  /** Frames waiting now. */
  public int size() {
    return events.size() + snapshots.size();
  }

  /** Characters of the frames waiting now. */
  public long chars() {
    return chars;
  }

  public long dropped() {
    return dropped;
  }

  public long conflated() {
    return conflated;
  }

  /** The most frames that ever waited at once. */
  public int highWater() {
    return highWater;
  }
}
