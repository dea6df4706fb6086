package io.citybrain.testkit;

import io.citybrain.settings.Check;
import io.citybrain.settings.Described;
import io.citybrain.settings.Description;
import io.citybrain.settings.InvalidSettingException;
import io.citybrain.settings.Redact;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the tests' services come from, read once from system properties or the environment, and
 * validated there: a bad value fails naming the variable ({@code CITYBRAIN_TEST_MQTT_URL must look
 * like tcp://host:port, was 'localhost'}). {@code mqttUrl} and {@code pgUrl} are null when not set.
 */
record TestServiceSettings(
    ServiceMode mode, String mqttUrl, String mqttTlsUrl, Path credentials, String pgUrl)
    implements Described {
  static final String SERVICES_ENV = "CITYBRAIN_TEST_SERVICES";

  TestServiceSettings {
    if (mqttUrl != null) {
      Check.require(
          mqttUrl.matches("(tcp|ssl|ws|wss)://[^:/]+:\\d+"),
          TestSettings.MQTT_URL_ENV,
          "must look like tcp://host:port, was '" + Redact.url(mqttUrl) + "'");
      // The configured broker enforces logins: the tests need the installation it was given.
      Check.require(
          credentials != null,
          TestSettings.CREDENTIALS_ENV,
          "must name the installation folder the broker at "
              + Redact.url(mqttUrl)
              + " was provisioned with (citybrain provision --out DIR), was not set");
    }
    if (mqttTlsUrl != null) {
      Check.require(
          mqttTlsUrl.matches("ssl://[^:/]+:\\d+"),
          TestSettings.MQTT_TLS_URL_ENV,
          "must look like ssl://host:port, was '" + Redact.url(mqttTlsUrl) + "'");
      Check.require(
          mqttUrl != null,
          TestSettings.MQTT_TLS_URL_ENV,
          "needs " + TestSettings.MQTT_URL_ENV + " (the same broker's plain listener)");
    }
    if (pgUrl != null) {
      Check.require(
          ConfiguredDatabaseServer.URL.matcher(pgUrl).matches(),
          TestSettings.PG_URL_ENV,
          "must look like jdbc:postgresql://host:port/database?user=name, was '"
              + Redact.url(pgUrl)
              + "'");
    }
  }

  static TestServiceSettings fromEnvironment() {
    return new TestServiceSettings(
        mode(TestSettings.get(ServiceMode.PROPERTY, SERVICES_ENV)),
        TestSettings.get(TestSettings.MQTT_URL_PROPERTY, TestSettings.MQTT_URL_ENV),
        TestSettings.get(TestSettings.MQTT_TLS_URL_PROPERTY, TestSettings.MQTT_TLS_URL_ENV),
        path(TestSettings.get(TestSettings.CREDENTIALS_PROPERTY, TestSettings.CREDENTIALS_ENV)),
        TestSettings.get(TestSettings.PG_URL_PROPERTY, TestSettings.PG_URL_ENV));
  }

  private static Path path(String value) {
    return value == null ? null : Path.of(value);
  }

  private static ServiceMode mode(String value) {
    if (value == null) {
      return ServiceMode.AUTO;
    }
    try {
      return ServiceMode.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingException(
          ServiceMode.PROPERTY,
          "must be one of auto, configured, containers, embedded; was '" + value + "'");
    }
  }

  @Override
  public Description describe() {
    return new Description("test services")
        .add(SERVICES_ENV, mode.name().toLowerCase(Locale.ROOT))
        .url(TestSettings.MQTT_URL_ENV, mqttUrl)
        .url(TestSettings.MQTT_TLS_URL_ENV, mqttTlsUrl)
        .add(
            TestSettings.CREDENTIALS_ENV,
            credentials == null ? "generated for this run" : credentials)
        .url(TestSettings.PG_URL_ENV, pgUrl);
  }
}
