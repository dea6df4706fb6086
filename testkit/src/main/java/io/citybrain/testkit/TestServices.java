package io.citybrain.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.citybrain.access.BrokerLogin;
import io.citybrain.access.Installation;
import io.citybrain.access.Principal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What one test class gets: the broker's URL and a database of its own (created before the class,
 * dropped after it), so tests never see each other's rows. Tests share the broker: use {@link
 * #uniqueId} for client ids and topics.
 */
public final class TestServices implements AutoCloseable {
  private final ServiceEnvironment environment;
  private final String databaseName;
  private final HikariDataSource dataSource;
  private final Set<Principal> admitted = new LinkedHashSet<>();
  private final List<OwnBroker> ownBrokers = new ArrayList<>();

  TestServices(ServiceEnvironment environment, String testName) {
    this.environment = environment;
    this.databaseName = databaseName(testName);
    execute(environment.database().adminJdbcUrl(), "CREATE DATABASE " + databaseName);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl());
    config.setMaximumPoolSize(4);
    config.setPoolName("test-" + databaseName);
    this.dataSource = new HikariDataSource(config);
  }

  /** The MQTT broker, e.g. {@code tcp://127.0.0.1:1884}. */
  public String mqttUrl() {
    return environment.broker().url();
  }

  /**
   * The test broker's TLS listener ({@code ssl://127.0.0.1:PORT}, a certificate for localhost and
   * 127.0.0.1 signed by {@link #caCertificate}); fails when the broker has none.
   */
  public String mqttTlsUrl() {
    String url = environment.broker().tlsUrl();
    if (url == null) {
      throw new IllegalStateException(
          environment.broker().describe()
              + " has no TLS listener (a configured broker needs "
              + TestSettings.MQTT_TLS_URL_ENV
              + ")");
    }
    return url;
  }

  /** The CA certificate clients trust for {@link #mqttTlsUrl}. */
  public Path caCertificate() {
    mqttTlsUrl();
    return environment.broker().caCertificate();
  }

  /**
   * The login of a principal on the test broker, which enforces its rights ({@code TopicRights}): a
   * test connects as the service, gateway or device it plays. A gateway or device is created on the
   * broker (and on every {@link #ownMosquitto} of this test) before this returns.
   */
  public BrokerLogin login(Principal principal) {
    environment.broker().accounts().admit(principal);
    synchronized (admitted) {
      admitted.add(principal);
      for (OwnBroker own : ownBrokers) {
        own.accounts.admit(principal);
      }
    }
    return BrokerLogin.of(installation(), principal);
  }

  /** The installation (secrets, command key) whose principals the test broker knows. */
  public Installation installation() {
    return environment.installation();
  }

  /** The folder of {@link #installation}, for a process started with {@code --credentials}. */
  public Path credentials() {
    return installation().folder();
  }

  /** JDBC URL (credentials included) of this test class's own, empty database. */
  public String jdbcUrl() {
    return environment.database().jdbcUrl(databaseName);
  }

  /** A small pool on this test class's database. */
  public DataSource dataSource() {
    return dataSource;
  }

  public String databaseName() {
    return databaseName;
  }

  /** An id no other test run uses: for MQTT client ids and topic roots on the shared broker. */
  public String uniqueId(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * A Mosquitto of the test's own (the machine's binary, the project's configuration, persistence
   * on, enforcing like the shared one: every principal {@link #login} gave knows its way in), for
   * tests that restart the broker. Fails with a clear message when no mosquitto is installed.
   */
  public OwnBroker ownMosquitto() {
    Path binary =
        LocalMosquitto.find()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "this test restarts its broker and needs mosquitto installed (apt-get install mosquitto)"));
    LocalMosquitto broker = LocalMosquitto.start(binary, installation());
    OwnBroker own =
        new OwnBroker(broker, new DynamicSecurityAccounts(broker.url(), installation()), this);
    synchronized (admitted) {
      ServiceEnvironment.cityGateways().forEach(own.accounts::admit);
      admitted.forEach(own.accounts::admit);
      ownBrokers.add(own);
    }
    return own;
  }

  /**
   * A broker process the test owns: its URL, a clean restart that keeps persistent data, and close.
   */
  public static final class OwnBroker implements AutoCloseable {
    private final LocalMosquitto broker;
    private final DynamicSecurityAccounts accounts;
    private final TestServices owner;

    OwnBroker(LocalMosquitto broker, DynamicSecurityAccounts accounts, TestServices owner) {
      this.broker = broker;
      this.accounts = accounts;
      this.owner = owner;
    }

    public String url() {
      return broker.url();
    }

    /** The plugin saved every principal it was given: they are all still there after it. */
    public void restart() {
      accounts.close();
      broker.restart();
    }

    /**
     * {@code kill -9} of the broker process and a start on the same persistence folder: the state
     * it saved last (its autosave settings decide how old) is all that survives. Returns the killed
     * process id.
     */
    public long killAndRestart() {
      accounts.close();
      return broker.killAndStart();
    }

    /** The broker's running process id. */
    public long pid() {
      return broker.pid();
    }

    /** The configuration file the broker runs with (the project's, with this broker's paths). */
    public Path configFile() {
      return broker.configFile();
    }

    @Override
    public void close() {
      synchronized (owner.admitted) {
        owner.ownBrokers.remove(this);
      }
      accounts.close();
      broker.close();
    }
  }

  /** Where the services come from, for test output. */
  public String describe() {
    return environment.broker().describe()
        + "; "
        + environment.database().describe()
        + "; database "
        + databaseName;
  }

  @Override
  public void close() {
    dataSource.close();
    execute(
        environment.database().adminJdbcUrl(),
        "DROP DATABASE IF EXISTS " + databaseName + " WITH (FORCE)");
  }

  private static String databaseName(String testName) {
    String base = testName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    if (base.length() > 40) {
      base = base.substring(base.length() - 40);
    }
    return "cbt_" + base + "_" + UUID.randomUUID().toString().substring(0, 6);
  }

  private static void execute(String url, String sql) {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "test database setup failed (" + sql + "): " + e.getMessage(), e);
    }
  }
}
