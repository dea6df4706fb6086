package io.citybrain.testkit;

import java.util.Locale;

/**
 * Where test services come from; {@code AUTO} picks configured, then Docker, then embedded, per
 * service.
 */
public enum ServiceMode {
  AUTO,
  CONFIGURED,
  CONTAINERS,
  EMBEDDED;

  /**
   * System property that forces a mode (also read from the environment as CITYBRAIN_TEST_SERVICES).
   */
  public static final String PROPERTY = "citybrain.test.services";

  static ServiceMode fromEnvironment() {
    String value = TestSettings.get(PROPERTY, "CITYBRAIN_TEST_SERVICES");
    if (value == null || value.isBlank()) {
      return AUTO;
    }
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          PROPERTY + " must be one of auto, configured, containers, embedded; was '" + value + "'",
          e);
    }
  }
}
