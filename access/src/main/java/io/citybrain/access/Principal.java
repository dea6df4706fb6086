package io.citybrain.access;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who is on the broker: a service of ours, a district's gateway or one device. Its {@link #name} is
 * its MQTT username; its rights are {@link TopicRights#of}.
 *
 * @param district the district a gateway or device belongs to; null for services
 */
public record Principal(Kind kind, String name, String district) {
  /** Device, gateway and district ids: what may stand in one topic segment and a username. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** The services' usernames; no device or gateway may take one. */
  public static final String API = "citybrain-api";

  public static final String JOB = "citybrain-job";
  public static final String OBSERVER = "citybrain-observer";
  public static final String BROKER_ADMIN = "citybrain-admin";
  public static final Set<String> SERVICE_NAMES = Set.of(API, JOB, OBSERVER, BROKER_ADMIN);

  /** The prefix of every reserved name: a device id must not start with it. */
  public static final String RESERVED_PREFIX = "citybrain-";

  /** What a principal is, which decides its rights. */
  public enum Kind {
    /** The command API: publishes commands, reads acks and results. */
    API,
    /** The stream job: reads telemetry, publishes results (the only one that may retain). */
    JOB,
    /** Reads results only: health checks, dashboards of other systems. */
    OBSERVER,
    /** A district's IoT gateway or video-analytics server, publishing for many devices. */
    GATEWAY,
    /** One device that connects by itself. */
    DEVICE,
    /** The broker's administrator (Mosquitto's dynamic-security control topics). */
    BROKER_ADMIN;

    /** True for the four services, which are not tied to a district. */
    public boolean service() {
      return this != GATEWAY && this != DEVICE;
    }
  }

  public Principal {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    if (kind.service()) {
      if (district != null) {
        throw new IllegalArgumentException(kind + " " + name + " has no district");
      }
    } else {
      if (district == null || !ID.matcher(district).matches()) {
        throw new IllegalArgumentException(
            kind + " " + name + " needs a district code like FT, was '" + district + "'");
      }
      if (!ID.matcher(name).matches()) {
        throw new IllegalArgumentException(
            kind + " id must match " + ID.pattern() + ", was '" + name + "'");
      }
      if (name.startsWith(RESERVED_PREFIX)) {
        throw new IllegalArgumentException(
            kind + " id '" + name + "' takes the reserved prefix " + RESERVED_PREFIX);
      }
    }
  }

  public static Principal api() {
    return new Principal(Kind.API, API, null);
  }

  public static Principal job() {
    return new Principal(Kind.JOB, JOB, null);
  }

  public static Principal observer() {
    return new Principal(Kind.OBSERVER, OBSERVER, null);
  }

  public static Principal brokerAdmin() {
    return new Principal(Kind.BROKER_ADMIN, BROKER_ADMIN, null);
  }

  public static Principal gateway(String district, String gatewayId) {
    return new Principal(Kind.GATEWAY, gatewayId, district);
  }

  public static Principal device(String district, String deviceId) {
    return new Principal(Kind.DEVICE, deviceId, district);
  }

  /** The gateway a district's IoT devices use when the simulator connects as gateways. */
  public static Principal districtGateway(String district) {
    return gateway(district, district + "-GW-IOT");
  }

  /** The service principal of this name, or an exception naming the four. */
  public static Principal service(String name) {
    return switch (name) {
      case API -> api();
      case JOB -> job();
      case OBSERVER -> observer();
      case BROKER_ADMIN -> brokerAdmin();
      default ->
          throw new IllegalArgumentException(
              "'" + name + "' is not a service; services are " + SERVICE_NAMES);
    };
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + name
        + (district == null ? "" : " (" + district + ")");
  }
}
