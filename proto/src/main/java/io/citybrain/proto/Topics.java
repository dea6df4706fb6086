package io.citybrain.proto;

import java.util.Optional;

/**
 * Every CityBrain topic, built and taken apart in one place (the lock test pins each pattern):
 *
 * <pre>
 * city/v1/{district}/{reading|camera|heartbeat}/{deviceId}   telemetry, upstream
 * city/v1/{district}/batch/{gatewayId}                       a gateway's batch, upstream
 * city/v1/{district}/ack/{deviceId}                          command acknowledgements, upstream
 * city/v1/{district}/cmd/{deviceId}                          commands, downstream (never retained)
 * city/v1/{district}/live                                    the district's picture (retained)
 * city/v1/city/live                                          the city's summary (retained)
 * city/v1/{district}/alert, city/v1/{district}/incident      results
 * </pre>
 *
 * <p>Builders refuse segments that would change a topic's shape (empty, or holding {@code /},
 * {@code +}, {@code #} or NUL), so no id or district code can address another tree.
 */
public final class Topics {
  /** The root of the v1 tree; a breaking change gets {@code city/v2}. */
  public static final String ROOT = "city/v1";

  /** The single-level wildcard, for filters. */
  public static final String ANY = "+";

  /** The district segment of the city summary's topic; no district may use it as its code. */
  public static final String CITY = "city";

  private Topics() {}

  /** A device's or gateway's topic of a per-source class (telemetry, batch, ack, cmd). */
  public static String of(MessageClass messageClass, String district, String sourceId) {
    if (!messageClass.perSource()) {
      throw new IllegalArgumentException(messageClass + " topics carry no source id");
    }
    return ROOT + '/' + district(district) + '/' + messageClass.segment() + '/' + segment(sourceId);
  }

  /** A district's result topic (live, alert, incident). */
  public static String of(MessageClass messageClass, String district) {
    if (messageClass.perSource() || messageClass == MessageClass.CITY_LIVE) {
      throw new IllegalArgumentException(messageClass + " topics are not district results");
    }
    return ROOT + '/' + district(district) + '/' + messageClass.segment();
  }

  public static String reading(String district, String deviceId) {
    return of(MessageClass.READING, district, deviceId);
  }

  public static String camera(String district, String cameraId) {
    return of(MessageClass.CAMERA, district, cameraId);
  }

  public static String heartbeat(String district, String deviceId) {
    return of(MessageClass.HEARTBEAT, district, deviceId);
  }

  public static String batch(String district, String gatewayId) {
    return of(MessageClass.BATCH, district, gatewayId);
  }

  public static String ack(String district, String deviceId) {
    return of(MessageClass.ACK, district, deviceId);
  }

  public static String command(String district, String deviceId) {
    return of(MessageClass.COMMAND, district, deviceId);
  }

  public static String live(String district) {
    return of(MessageClass.LIVE, district);
  }

  public static String cityLive() {
    return ROOT + '/' + CITY + '/' + MessageClass.CITY_LIVE.segment();
  }

  public static String alert(String district) {
    return of(MessageClass.ALERT, district);
  }

  public static String incident(String district) {
    return of(MessageClass.INCIDENT, district);
  }

  /**
   * A subscription filter for one class in one district, or in every district with {@link #ANY}:
   * per-source classes match every source ({@code city/v1/FT/reading/+}); result classes the
   * district's one topic ({@code city/v1/+/alert}, which never matches the city summary's topic for
   * {@code live}: subscribers of {@code city/v1/+/live} get it too and must tell it apart with
   * {@link #parse}).
   */
  public static String filter(MessageClass messageClass, String district) {
    if (messageClass == MessageClass.CITY_LIVE) {
      return cityLive();
    }
    String d = ANY.equals(district) ? ANY : district(district);
    return ROOT
        + '/'
        + d
        + '/'
        + messageClass.segment()
        + (messageClass.perSource() ? "/" + ANY : "");
  }

  /** The parts of a topic, or empty when it is not one of the tree's. */
  public static Optional<Address> parse(String topic) {
    if (topic == null || !topic.startsWith(ROOT + '/')) {
      return Optional.empty();
    }
    String[] parts = topic.substring(ROOT.length() + 1).split("/", -1);
    if (parts.length < 2 || parts.length > 3 || !valid(parts[0])) {
      return Optional.empty();
    }
    for (MessageClass c : MessageClass.values()) {
      if (!c.segment().equals(parts[1]) || c.perSource() != (parts.length == 3)) {
        continue;
      }
      if (c.perSource()) {
        return CITY.equals(parts[0]) || !valid(parts[2])
            ? Optional.empty()
            : Optional.of(new Address(c, parts[0], parts[2]));
      }
      boolean city = CITY.equals(parts[0]);
      if (c == MessageClass.CITY_LIVE && city) {
        return Optional.of(new Address(c, CITY, null));
      }
      if (c != MessageClass.CITY_LIVE && !city) {
        return Optional.of(new Address(c, parts[0], null));
      }
    }
    return Optional.empty();
  }

  /**
   * A topic taken apart.
   *
   * @param sourceId the device's or gateway's id; null for result topics
   */
  public record Address(MessageClass messageClass, String district, String sourceId) {}

  private static String district(String district) {
    if (CITY.equals(district)) {
      throw new IllegalArgumentException(
          "'" + CITY + "' is the city summary's segment, not a district");
    }
    return segment(district);
  }

  private static String segment(String value) {
    if (!valid(value)) {
      throw new IllegalArgumentException(
          "a topic segment must be non-empty without '/', '+', '#' or NUL, was '" + value + "'");
    }
    return value;
  }

  private static boolean valid(String value) {
    if (value == null || value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '/' || c == '+' || c == '#' || c == 0) {
        return false;
      }
    }
    return true;
  }
}
