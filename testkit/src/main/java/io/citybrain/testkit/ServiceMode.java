package io.citybrain.testkit;

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
}
