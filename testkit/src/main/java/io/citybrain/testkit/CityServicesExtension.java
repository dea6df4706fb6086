package io.citybrain.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class {@link TestServices}: a real MQTT broker and its own PostgreSQL database. Use
 * with {@code @ExtendWith(CityServicesExtension.class)} and take {@code TestServices} as a
 * parameter of a test, {@code @BeforeEach} or {@code @BeforeAll} method. The broker and server
 * start once per JVM; the database is per class.
 *
 * <p>Where services come from (per service): {@code CITYBRAIN_TEST_MQTT_URL} / {@code
 * CITYBRAIN_TEST_PG_URL} when set (what CI does), else Testcontainers (Mosquitto, TimescaleDB) when
 * a Docker engine answers, else embedded (HiveMQ CE, zonky PostgreSQL). {@code
 * CITYBRAIN_TEST_SERVICES=configured|containers|embedded} forces one.
 */
public final class CityServicesExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(CityServicesExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    services(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestServices.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return services(context);
  }

  private static TestServices services(ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    ServiceEnvironment environment =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                ServiceEnvironment.class,
                key -> ServiceEnvironment.start(),
                ServiceEnvironment.class);
    String name = classContext.getRequiredTestClass().getSimpleName();
    // Values in a class-level store that are AutoCloseable are closed when that class is done: the
    // database is dropped.
    return classContext
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            TestServices.class, key -> new TestServices(environment, name), TestServices.class);
  }
}
