package io.citybrain.stream.liveness;

/**
 * A device went online (a message after silence, or its first) or offline (too many missed
 * intervals).
 */
public class LivenessChange {
  public String deviceId;
  public String district;
  public boolean online;

  /** Event time of the change: the message that brought it back, or the deadline it missed. */
  public long atMs;

  /** The last message before the change (offline) or the message itself (online). */
  public long lastSeenMs;

  public LivenessChange() {}

  public static LivenessChange of(
      String deviceId, String district, boolean online, long atMs, long lastSeenMs) {
    LivenessChange c = new LivenessChange();
    c.deviceId = deviceId;
    c.district = district;
    c.online = online;
    c.atMs = atMs;
    c.lastSeenMs = lastSeenMs;
    return c;
  }

  @Override
  public String toString() {
    return deviceId + (online ? " online@" : " offline@") + atMs;
  }
}
