package io.citybrain.testkit;

import io.citybrain.access.BrokerTls;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import io.citybrain.access.Principals;
import io.citybrain.access.Provisioning;
import io.citybrain.embedded.TempFolders;
import io.citybrain.seeds.CitySeeds;
import io.citybrain.seeds.FleetExpander;
import io.citybrain.seeds.SeedLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker and database server shared by every test in one JVM. Each service is chosen on its
 * own: configuration when given (what CI does), else a container when a Docker engine answers, else
 * an embedded server.
 */
final class ServiceEnvironment implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceEnvironment.class);
  private final MqttBroker broker;
  private final DatabaseServer database;
  private final Installation installation;
  private final Path generated;

  private ServiceEnvironment(
      MqttBroker broker, DatabaseServer database, Installation installation, Path generated) {
    this.broker = broker;
    this.database = database;
    this.installation = installation;
    this.generated = generated;
  }

  /** The environment of this JVM once started, for helpers that have only a broker's URL. */
  private static volatile ServiceEnvironment current;

  static ServiceEnvironment start() {
    TestServiceSettings settings = TestServiceSettings.fromEnvironment();
    LOG.info("{}", settings.describe());
    Path generated;
    Installation installation;
    boolean configuredBroker =
        settings.mqttUrl() != null
            && settings.mode() != ServiceMode.EMBEDDED
            && settings.mode() != ServiceMode.CONTAINERS;
    try {
      generated = Files.createTempDirectory("citybrain-test-installation-");
      // A configured broker was provisioned with an installation of its own: its secrets are the
      // ones it honours. Every other broker is provisioned here, from a fresh one.
      installation =
          configuredBroker
              ? Installation.load(settings.credentials())
              : Installation.generate(generated.resolve("credentials"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the test installation's folder", e);
    }
    MqttBroker broker = broker(settings, installation);
    cityGateways().forEach(broker.accounts()::admit);
    DatabaseServer database;
    try {
      database = database(settings);
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    LOG.info("test services: {}; {}", broker.describe(), database.describe());
    ServiceEnvironment environment =
        new ServiceEnvironment(broker, database, installation, generated);
    current = environment;
    return environment;
  }

  /** The started environment, if any (see {@link RetainedTopics}). */
  static ServiceEnvironment current() {
    return current;
  }

  /**
   * The shipped city's gateways (each district's IoT gateway, the video-analytics servers): the
   * simulator connects as them in most tests. Devices and other principals are admitted when a test
   * logs in as them.
   */
  static List<Principal> cityGateways() {
    CitySeeds seeds = SeedLoader.load();
    return Principals.of(seeds.districtCodes(), FleetExpander.expand(seeds)).stream()
        .filter(p -> p.kind() == Principal.Kind.GATEWAY)
        .toList();
  }

  private static MqttBroker broker(TestServiceSettings settings, Installation installation) {
    String url = settings.mqttUrl();
    return switch (pick(
        settings.mode(), url != null, "an MQTT broker", TestSettings.MQTT_URL_ENV)) {
      case CONFIGURED ->
          MqttBroker.configured(
              url,
              settings.mqttTlsUrl(),
              settings.credentials().resolve(Provisioning.BROKER_FOLDER).resolve(BrokerTls.CA_CERT),
              installation);
      case CONTAINERS -> MqttBroker.container(installation);
      // A mosquitto installed on the machine beats the in-process broker: it is what production
      // runs.
      default ->
          LocalMosquitto.find()
              .map(binary -> MqttBroker.localMosquitto(binary, installation))
              .orElseGet(() -> MqttBroker.embedded(installation));
    };
  }

  private static DatabaseServer database(TestServiceSettings settings) {
    String url = settings.pgUrl();
    return switch (pick(
        settings.mode(), url != null, "a PostgreSQL server", TestSettings.PG_URL_ENV)) {
      case CONFIGURED -> new ConfiguredDatabaseServer(url);
      case CONTAINERS -> new ContainerDatabaseServer();
      default -> new EmbeddedDatabaseServer();
    };
  }

  private static ServiceMode pick(ServiceMode mode, boolean configured, String what, String env) {
    return switch (mode) {
      case CONFIGURED -> {
        if (!configured) {
          throw new IllegalStateException(
              ServiceMode.PROPERTY + "=configured needs " + what + ": set " + env);
        }
        yield ServiceMode.CONFIGURED;
      }
      case CONTAINERS -> {
        if (!DockerProbe.available()) {
          throw new IllegalStateException(
              ServiceMode.PROPERTY + "=containers needs a Docker engine, and none answers");
        }
        yield ServiceMode.CONTAINERS;
      }
      case EMBEDDED -> ServiceMode.EMBEDDED;
      case AUTO ->
          configured
              ? ServiceMode.CONFIGURED
              : DockerProbe.available() ? ServiceMode.CONTAINERS : ServiceMode.EMBEDDED;
    };
  }

  MqttBroker broker() {
    return broker;
  }

  DatabaseServer database() {
    return database;
  }

  /** The installation whose credentials the broker honours. */
  Installation installation() {
    return installation;
  }

  @Override
  public void close() {
    if (current == this) {
      current = null;
    }
    try {
      broker.close();
    } finally {
      database.close();
      TempFolders.deleteQuietly(generated);
    }
  }
}
