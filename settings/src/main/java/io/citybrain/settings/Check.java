package io.citybrain.settings;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks every configuration makes, each failing with an {@link InvalidSettingException} that
 * names the setting and the value: one wording for the same rule everywhere.
 */
public final class Check {
  private static final Pattern MQTT_URL = Pattern.compile("(tcp|ssl)://[^/:@\\s]+:([1-9]\\d{0,4})");

  private Check() {}

  public static void require(boolean ok, String setting, String problem) {
    if (!ok) {
      throw new InvalidSettingException(setting, problem);
    }
  }

  public static String required(String value, String setting, String example) {
    require(value != null && !value.isBlank(), setting, "is required (e.g. " + example + ")");
    return value;
  }

  public static int within(int value, int min, int max, String setting) {
    require(
        value >= min && value <= max,
        setting,
        "must be within " + min + ".." + max + ", was " + value);
    return value;
  }

  public static double within(double value, double min, double max, String setting) {
    require(
        value >= min && value <= max,
        setting,
        "must be within " + min + ".." + max + ", was " + value);
    return value;
  }

  public static int atLeast(int value, int min, String setting) {
    require(value >= min, setting, "must be at least " + min + ", was " + value);
    return value;
  }

  public static long notNegative(long value, String setting) {
    require(value >= 0, setting, "must not be negative, was " + value);
    return value;
  }

  /** A finite number above zero (a speed, a scale, a rate per second). */
  public static double positive(double value, String setting) {
    require(
        value > 0 && Double.isFinite(value), setting, "must be a positive number, was " + value);
    return value;
  }

  /** A share of something, from none (0) to all (1). */
  public static double rate(double value, String setting) {
    require(value >= 0 && value <= 1, setting, "must be a rate within 0..1, was " + value);
    return value;
  }

  public static Duration positive(Duration value, String setting) {
    require(
        value != null && !value.isNegative() && !value.isZero(),
        setting,
        "must be a positive duration, was " + value);
    return value;
  }

  public static Duration notNegative(Duration value, String setting) {
    require(value != null && !value.isNegative(), setting, "must not be negative, was " + value);
    return value;
  }

  public static String jdbcUrl(String value, String setting) {
    require(
        value != null && value.startsWith("jdbc:postgresql:"),
        setting,
        "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was "
            + (value == null ? "not set" : "'" + Redact.url(value) + "'"));
    return value;
  }

  /** An MQTT broker's URL: tcp or ssl, a host and a port in 1..65535, and nothing else. */
  public static String mqttUrl(String value, String setting) {
    int port = value == null ? -1 : port(value);
    require(
        port >= 1 && port <= 65_535,
        setting,
        "must look like tcp://host:port or ssl://host:port, was "
            + (value == null ? "not set" : "'" + Redact.url(value) + "'"));
    return value;
  }

  /** The port of an MQTT URL, or -1 when the URL does not have the shape. */
  private static int port(String mqttUrl) {
    Matcher m = MQTT_URL.matcher(mqttUrl);
    return m.matches() ? Integer.parseInt(m.group(2)) : -1;
  }
}
