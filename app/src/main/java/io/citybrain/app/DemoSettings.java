package io.citybrain.app;

import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.settings.Redact;
import io.citybrain.simulators.FleetSettings;
import java.util.Objects;

/**
 * What {@code citybrain demo} runs with. A service left unset is embedded: {@code mqttUrl} null
 * starts HiveMQ CE on {@code mqttPort} (0: any free port), {@code dbUrl} null starts PostgreSQL.
 * {@code simRate} null lets every device report at its own interval. {@code bind} is the one
 * address every embedded service listens on (loopback unless widened). Validated on creation, in
 * domain words ({@code simulator rate must be a positive number, was 0.0}). {@code workers}: the
 * city's simulated people work its cases, tasks and alerts at {@code workSpeed} times real time
 * (and, with {@code dutyCoordinator}, its incidents).
 */
record DemoSettings(
    FleetSettings fleet,
    String mqttUrl,
    int mqttPort,
    String dbUrl,
    boolean streamJob,
    boolean api,
    int apiPort,
    boolean sim,
    Double simRate,
    boolean exitAfterStart,
    String bind,
    boolean workers,
    double workSpeed,
    double workSuccessRate,
    boolean dutyCoordinator)
    implements Described {
  static final int DEFAULT_MQTT_PORT = 1883;
  static final int DEFAULT_API_PORT = 8080;

  /** Nothing of the demo is reachable from another machine unless the user asks for it. */
  static final String DEFAULT_BIND = "127.0.0.1";

  DemoSettings {
    Objects.requireNonNull(fleet, "fleet");
    if (mqttUrl != null) {
      Check.mqttUrl(mqttUrl, "MQTT URL");
    }
    Check.within(mqttPort, 0, 65_535, "MQTT port");
    if (dbUrl != null) {
      Check.jdbcUrl(dbUrl, "database URL");
    }
    Check.within(apiPort, 0, 65_535, "API port");
    if (simRate != null) {
      Check.positive(simRate, "simulator rate");
    }
    Check.within(workSpeed, 0.001, 100_000, "work speed");
    Check.rate(workSuccessRate, "work success rate");
    Check.required(bind, "bind address", "127.0.0.1 or 0.0.0.0");
    Check.require(
        InetAddresses.isLiteral(bind),
        "bind address",
        "must be an IP address such as 127.0.0.1 or 0.0.0.0, was '" + bind + "'");
  }

  /** Whether {@code bind} keeps everything on this machine. */
  boolean loopbackOnly() {
    return InetAddresses.isLoopback(bind);
  }

  /** Where a client on this machine reaches a service bound to {@code host}. */
  static String reachable(String host) {
    if (InetAddresses.isWildcard(host)) {
      return "127.0.0.1";
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }

  @Override
  public Description describe() {
    return new Description("demo")
        .include(fleet)
        .add("MQTT URL", mqttUrl == null ? "embedded" : mqttUrl)
        .add("MQTT port", mqttUrl == null ? port(mqttPort) : "unused (MQTT URL is set)")
        .add("database URL", dbUrl == null ? "embedded" : Redact.url(dbUrl))
        .add("stream job", onOff(streamJob))
        .add("API", onOff(api))
        .add("API port", port(apiPort))
        .add("simulator", onOff(sim))
        .add("simulator rate", simRate == null ? "each device at its own interval" : simRate + "/s")
        .add("exit after start", onOff(exitAfterStart))
        .add("workers", onOff(workers))
        .add("work speed", workSpeed + "x real time")
        .add("work success rate", workSuccessRate)
        .add("duty coordinator", onOff(dutyCoordinator))
        .add(
            "bind address",
            bind + (loopbackOnly() ? " (this machine only)" : " (reachable from the network)"));
  }

  private static String port(int port) {
    return port == 0 ? "any free port" : port + " (a free one when taken)";
  }

  private static String onOff(boolean on) {
    return on ? "on" : "off";
  }
}
