package io.citybrain.testkit;

/** Reads a test setting from a system property, else from an environment variable. */
final class TestSettings {
  /** The broker every *IT uses when set, e.g. {@code tcp://127.0.0.1:1884}. */
  static final String MQTT_URL_PROPERTY = "citybrain.test.mqtt-url";

  static final String MQTT_URL_ENV = "CITYBRAIN_TEST_MQTT_URL";

  /**
   * A PostgreSQL server where the tests may create databases, e.g. {@code
   * jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}.
   */
  static final String PG_URL_PROPERTY = "citybrain.test.pg-url";

  static final String PG_URL_ENV = "CITYBRAIN_TEST_PG_URL";

  /** The configured broker's TLS listener, e.g. {@code ssl://127.0.0.1:8884}; optional. */
  static final String MQTT_TLS_URL_PROPERTY = "citybrain.test.mqtt-tls-url";

  static final String MQTT_TLS_URL_ENV = "CITYBRAIN_TEST_MQTT_TLS_URL";

  /**
   * The installation folder the configured broker was provisioned with ({@code citybrain provision
   * --out DIR}); required with {@link #MQTT_URL_ENV}.
   */
  static final String CREDENTIALS_PROPERTY = "citybrain.test.credentials";

  static final String CREDENTIALS_ENV = "CITYBRAIN_TEST_CREDENTIALS";

  private TestSettings() {}

  static String get(String property, String env) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(env);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }
}
