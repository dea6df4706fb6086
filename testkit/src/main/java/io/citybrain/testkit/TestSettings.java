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

  private TestSettings() {}

  static String get(String property, String env) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(env);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }
}
