package io.citybrain.settings;

import java.time.Duration;

/**
 * The checks every configuration makes, each failing with an {@link InvalidSettingException} that
 * names the setting and the value: one wording for the same rule everywhere.
 */
public final class Check {
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

  public static String mqttUrl(String value, String setting) {
    require(
        value != null && value.matches("(tcp|ssl)://[^/:\\s]+:\\d{1,5}"),
        setting,
        "must look like tcp://host:port or ssl://host:port, was "
            + (value == null ? "not set" : "'" + Redact.url(value) + "'"));
    return value;
  }
}
